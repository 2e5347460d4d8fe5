/**
 * The storefront's answers to the security issue (#11), against a real node:
 * no open redirect after sign-in, a Content-Security-Policy that the pages
 * live under (hydration, client-side navigation), the proxy's Origin check,
 * bounded slow connections, no 500 from a reserved action name, and a session
 * the edge refuses ending in the sign-in form.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startStack, type Stack } from './harness.ts';
import { storefrontDir } from '../serve.ts';

/** A token the edge did not sign (as after the token secret changed), or one that has expired. */
function foreignToken(expiresInSeconds = 3600): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: randomUUID(), name: 'Ghost Participant', role: 'participant', exp: Math.floor(Date.now() / 1000) + expiresInSeconds })}`;
  return `${body}.${createHmac('sha256', randomBytes(32)).update(body).digest('base64url')}`;
}

async function errorCode(answer: Response): Promise<string> {
  return ((await answer.json()) as { error: { code: string } }).error.code;
}

/** Every page with form actions, as a path (params filled with a fresh id) and its action names. */
async function formPages(): Promise<{ path: string; actions: string[] }[]> {
  const routes = join(storefrontDir, 'src', 'routes');
  const found: { path: string; actions: string[] }[] = [];
  for (const file of await readdir(routes, { recursive: true })) {
    if (!file.endsWith('+page.server.ts')) continue;
    const source = await readFile(join(routes, file), 'utf8');
    const block = /export const actions[^=]*=\s*\{([\s\S]*?)\n\};?/.exec(source) ?? /export const actions[^=]*=\s*\{(.*)\};/.exec(source);
    if (!block) continue;
    // The action names: the keys at the object's own indentation, or the one inline key (`{ refund: refundAction }`).
    const actions = [...new Set([...block[1]!.matchAll(/^ {2}(\w+):/gm), ...block[1]!.matchAll(/^\s*(\w+):/g)].map((m) => m[1]!))];
    const dir = relative(routes, join(routes, file, '..')).split(sep).filter((s) => s !== '');
    found.push({ path: '/' + dir.map((s) => (s.startsWith('[') ? randomUUID() : s)).join('/'), actions });
  }
  return found;
}

describe('storefront security', () => {
  let stack: Stack;
  let buyer: Awaited<ReturnType<typeof signUp>>;
  let cookie: string;
  let organizerCookie: string;

  beforeAll(async () => {
    stack = await startStack();
    buyer = await signUp(stack.api, 'participant', 'Salma Haddad');
    cookie = `tickr_session=${buyer.token}`;
    organizerCookie = `tickr_session=${(await signUp(stack.api, 'organizer')).token}`;
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const web = (path: string, init: RequestInit = {}) => fetch(stack.web + path, { redirect: 'manual', ...init });
  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    ({ method: 'POST', body: new URLSearchParams(fields), headers: { origin: stack.web, accept: 'text/html', ...headers } });

  it('never sends the browser to another site after sign-in, sign-up or the language switch', async () => {
    // The finding: a tab inside the path, which browsers drop, making //example.org.
    const signedIn = await web('/signin?next=/%09/example.org/', { headers: { cookie } });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    const page = await (await web('/signin?next=/%5Cexample.org/')).text();
    expect(page).toContain('name="next" value=""');

    for (const next of ['/\t/example.org/', '//example.org', '/\\example.org', 'https://example.org', 'javascript:alert(1)']) {
      const answer = await web('/signin', form({ email: buyer.email, password: buyer.password, next }));
      expect(answer.status, next).toBe(303);
      expect(answer.headers.get('location'), next).toBe('/');
    }
    const kept = await web('/signin', form({ email: buyer.email, password: buyer.password, next: '/tickets?from=mail' }));
    expect(kept.headers.get('location')).toBe('/tickets?from=mail');

    const email = `new-${randomBytes(4).toString('hex')}@e2e.tickr.test`;
    const signup = await web('/signup', form({ email, name: 'New Person', password: 'a-long-enough-password', next: '/%2F%2Fexample.org' }));
    expect(signup.headers.get('location')).toBe('/');
    const lang = await web('/lang', form({ lang: 'fr', back: '/\n/example.org' }));
    expect(lang.headers.get('location')).toBe('/');
  });

  it('sends a Content-Security-Policy and the other security headers with every page', async () => {
    const edgePort = new URL(stack.api).port;
    for (const path of ['/', '/signin', `/events/${randomUUID()}`]) {
      const answer = await web(path);
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self' 'nonce-[^']+'/);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).toMatch(new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${edgePort}(;|$)`));
      expect(csp, path).not.toContain('unsafe-eval');
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(answer.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
      // Plain http here (TICKR_WEB_SECURE_COOKIES unset): no HSTS.
      expect(answer.headers.get('strict-transport-security'), path).toBeNull();
    }
    for (const path of ['/favicon.svg', '/api/events']) {
      expect((await web(path)).headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('hydrates under its policy: no violation, and links navigate in the page', async () => {
    const page = await stack.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const documents: string[] = [];
    page.on('request', (request) => request.resourceType() === 'document' && documents.push(request.url()));
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL('**/signin**');
    await page.getByRole('textbox', { name: 'Email', exact: true }).waitFor();
    // A hydrated app navigates by itself (its data over fetch): only the first page was a document load.
    expect(documents).toHaveLength(1);
    expect(violations).toEqual([]);
  });

  it('refuses a state-changing API call from another origin, and lets webhooks without one through', async () => {
    const json = { 'content-type': 'application/json' };
    const foreign = await web('/api/events', { method: 'POST', body: '{}', headers: { ...json, cookie, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toContain('application/json');
    expect(await errorCode(foreign)).toBe('foreign_origin');
    for (const method of ['PATCH', 'DELETE']) {
      expect((await web(`/api/holds/${randomUUID()}`, { method, body: '{}', headers: { ...json, cookie, origin: 'null' } })).status).toBe(403);
    }
    // The same call from the site's own page reaches the edge (which checks the role: a participant may not create events).
    const own = await web('/api/events', { method: 'POST', body: '{}', headers: { ...json, cookie, origin: stack.web } });
    expect(await errorCode(own)).not.toBe('foreign_origin');
    // A provider's webhook carries no Origin: the edge answers it, not the proxy.
    const webhook = await web('/api/webhooks/stripe', { method: 'POST', body: '{"id":"evt_1"}', headers: { ...json, 'stripe-signature': 't=1,v1=00' } });
    expect(webhook.status).not.toBe(403);
    expect(await webhook.text()).not.toContain('foreign_origin');
  });

  it('closes a connection that never finishes its headers', async () => {
    const socket = connect(Number(new URL(stack.web).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 500);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  }, 60_000);

  it('answers POST ?/default with a 4xx on every form page, never a 500', async () => {
    const pages = await formPages();
    expect(pages.map((p) => p.path)).toContain('/signin');
    expect(pages.find((p) => p.path.startsWith('/holds/'))?.actions).toEqual(['checkout', 'promo', 'release']);
    const answer = await web('/signin?/default', form({ email: buyer.email, password: 'wrong' }));
    expect(answer.status).toBe(404);
    for (const { path, actions } of pages) {
      for (const action of ['/default', ...actions.filter((a) => a !== 'default').map((a) => `/${a}`), '']) {
        const url = `${path}${action ? `?${action}` : ''}`;
        for (const [who, session] of [['participant', cookie], ['organizer', organizerCookie]]) {
          for (const accept of ['text/html', 'application/json']) {
            const headers = { cookie: session!, accept, ...(accept === 'application/json' ? { 'x-sveltekit-action': 'true' } : {}) };
            const status = (await web(url, form({}, headers))).status;
            expect(status, `POST ${url} as ${who} (${accept})`).toBeLessThan(500);
          }
        }
      }
    }
  }, 120_000);

  it('shows the sign-in form, signed out, when the edge refuses the session', async () => {
    // Over HTTP: a page that needs the account redirects to sign in and clears the cookie.
    // A token the edge refuses, or one that expired: signed out, with a sentence saying the session ended.
    for (const [token, location] of [[foreignToken(), '/signin?next=%2Ftickets&ended=1'], [foreignToken(-60), '/signin?next=%2Ftickets&ended=1']] as const) {
      const answer = await web('/tickets', { headers: { cookie: `tickr_session=${token}` } });
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe(location);
      expect(answer.headers.get('set-cookie')).toMatch(/tickr_session=;.*Max-Age=0/);
    }

    // Through the /api proxy the page's script gets the edge's 401, and the cookie goes with it.
    const proxied = await web('/api/orders', { headers: { cookie: `tickr_session=${foreignToken()}` } });
    expect(proxied.status).toBe(401);
    expect(proxied.headers.get('set-cookie')).toMatch(/tickr_session=;.*Max-Age=0/);

    // In a browser: the header believes the cookie until the edge is asked, then the person lands on the sign-in form.
    const page = await stack.newPage();
    await page.context().addCookies([{ name: 'tickr_session', value: foreignToken(), url: stack.web }]);
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    await page.getByRole('link', { name: 'My tickets' }).click();
    await page.waitForURL((url) => url.pathname === '/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/tickets');
    await page.getByRole('textbox', { name: 'Email', exact: true }).waitFor();
    expect(await page.locator('.who').count()).toBe(0);
    expect(await page.locator('header').getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    expect((await page.context().cookies()).find((c) => c.name === 'tickr_session')).toBeUndefined();
    await stack.shot(page, 'security-session-ended-signin');
  });
});
