/**
 * Browser tests against a real stack: one Tickr node as a child process
 * (`tickr start`: engine, edge and storefront), its own database, free ports,
 * and Debian's Chromium driven by playwright-core. Screenshots of each
 * journey's key pages go to storefront/test-artifacts/ (gitignored).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, onTestFailed, onTestFinished } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../engine/src/testing/db.ts';
import { createEvent, freePort, signUp as kitSignUp, spawnNode, type CreatedEvent, type NodeProcess, type SignUpRole, type TestAccount } from '../../engine/src/testing/kit.ts';
import { ensureBuilt, storefrontDir } from '../serve.ts';

export const artifactsDir = join(storefrontDir, 'test-artifacts');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A 360 px phone, the narrowest screen the storefront promises to fit. */
export const phone = { width: 360, height: 780 };
export const desktop = { width: 1280, height: 860 };

export type Stack = {
  /** The edge's HTTP API, for arranging data without the browser. */
  api: string;
  /** The storefront's origin. */
  web: string;
  /** The node's database, for a test that must hold a row still (e.g. a job mid-way). */
  dbUrl: string;
  node: NodeProcess;
  browser: Browser;
  /** A fresh browser profile (own cookies) at a viewport, speaking `locale`. */
  newPage: (opts?: { viewport?: { width: number; height: number }; locale?: string }) => Promise<Page>;
  shot: (page: Page, name: string) => Promise<string>;
  stop: () => Promise<void>;
};

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  // Built once up front: the node would build too, but its start timeout is shorter than a cold build.
  const t0 = Date.now();
  const mark = (what: string) => process.env.TICKR_E2E_TIMING && console.log(`e2e: ${what} at ${Date.now() - t0} ms`);
  await ensureBuilt(() => {});
  mark('built');
  const db: TestDatabase = await freshDatabase();
  mark('database');
  const [webPort, internalPort] = [await freePort(), await freePort()];
  let node: NodeProcess | null = null;
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  try {
    node = await spawnNode({
      dbUrl: db.url,
      env: {
        TICKR_WEB_PORT: String(webPort),
        TICKR_INTERNAL_PORT: String(internalPort),
        TICKR_WORKERS: '1',
        TICKR_TOKEN_SECRET: randomBytes(32).toString('hex'),
        TICKR_TICKET_KEY_SECRET: randomBytes(48).toString('base64'),
        TICKR_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
        ...env,
      },
    });
    mark('node');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-background-networking'] });
  } catch (error) {
    await node?.kill();
    await db.drop();
    throw error;
  }
  mark('browser');
  await mkdir(artifactsDir, { recursive: true });
  // A node that dies under a test takes every later step with it: say why, at once.
  node.child.once('exit', (code, signal) => {
    if (!stopping) console.error(`e2e: the node exited (${code ?? signal}) during the tests:\n${node!.output().slice(-6_000)}`);
  });
  let stopping = false;
  const web = `http://127.0.0.1:${webPort}`;
  const b = browser;
  const n = node;
  return {
    api: n.url,
    web,
    dbUrl: db.url,
    node: n,
    browser: b,
    newPage: async ({ viewport = phone, locale = 'en-GB' } = {}) => {
      const context = await b.newContext({ viewport, locale, baseURL: web });
      // Generous: the machine is shared, and password hashing on sign-in takes a core for a while.
      context.setDefaultTimeout(20_000);
      context.setDefaultNavigationTimeout(30_000);
      contexts.push(context);
      const page = await context.newPage();
      // Every journey also checks the Content-Security-Policy: Chromium reports what it blocked on the console.
      const blocked: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(`${page.url()}: ${message.text()}`);
      });
      onTestFinished(() => expect(blocked, 'the page policy blocked something the page needs').toEqual([]));
      // A failed journey leaves a picture of where it stood, and the address.
      onTestFailed(async ({ task }) => {
        const name = `failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${contexts.indexOf(context)}`;
        await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true }).catch(() => {});
        console.error(`e2e: ${task.name}: page was at ${page.url()}; screenshot ${name}.png`);
      });
      return page;
    },
    shot: async (page, name) => {
      const path = join(artifactsDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    stop: async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await b.close().catch(() => {});
      stopping = true;
      mark('closing');
      await n.kill();
      mark('node stopped');
      await db.drop();
      mark('database dropped');
    },
  };
}

/** JSON over HTTP to the edge, for arranging a test's world; throws with the edge's answer on failure. */
export async function call<T = Record<string, unknown>>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text === '' ? null : JSON.parse(text)) as T;
}

/** The kit's sign-up (engine/src/testing/accounts.ts) on the stack's API: an account with a password the pages can sign in with. */
export function signUp(base: string, role: SignUpRole, name = role === 'organizer' ? 'Olfa Organizer' : 'Pat Participant'): Promise<TestAccount> {
  return kitSignUp(base, role, { name, emailDomain: 'e2e.tickr.test' });
}

/** A published drop with two ticket types, on sale now, as an organizer creates it through the API (the kit's createEvent). */
export function createDrop(base: string, organizer: { token: string }, over: Record<string, unknown> = {}): Promise<CreatedEvent> {
  return createEvent(base, organizer.token, {
    name: 'Nuit du Jazz à Hammamet',
    venue: 'Centre culturel international, Hammamet',
    startsAt: new Date(Date.now() + 20 * 24 * 3600_000).toISOString(),
    currency: 'TND',
    perBuyerLimit: 4,
    holdTtlSeconds: 300,
    ticketTypes: [
      { name: 'Standard', price: 45_000, capacity: 300 },
      { name: 'Carré Or', price: 120_000, capacity: 40 },
    ],
    ...over,
  });
}

/**
 * Signs in through the sign-in page, in any language, and waits to land on
 * `next`. It fills the form once the page has hydrated: filled before, the
 * inputs are reset to their rendered value (empty), and the click then stops
 * at the browser's "required" check. The journey under test is the live
 * page's (enhanced forms), not the no-JavaScript fallback.
 */
export async function signInPage(page: Page, who: { email: string; password: string }, next: string): Promise<void> {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`, { waitUntil: 'networkidle' });
  await page.locator('input[name=email]').fill(who.email);
  await page.locator('input[name=password]').fill(who.password);
  await page.locator('main button[type=submit]').click();
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

/** `expect.poll` with room for a shared, busy machine (its own default gives up after 1 s). */
export function poll<T>(fn: () => T | Promise<T>, opts: { timeout?: number; interval?: number } = {}) {
  return expect.poll(fn, { timeout: 15_000, interval: 200, ...opts });
}
