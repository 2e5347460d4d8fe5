import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { call, chromiumPath, createDrop, desktop, phone, signInPage, signUp, startStack, type Stack } from './harness.ts';
import { buyTickets, inviteStaff, qrVideo, type BoughtTicket } from './office_helpers.ts';

/** expect.poll gives up after 1 s by default: too soon on a shared, busy machine. */
const soon = { timeout: 10_000 };
const journeyMs = 150_000;

describe('door scanner in a browser', () => {
  let stack: Stack;
  let eventId: string;
  let listId: string;
  let tickets: BoughtTicket[];
  let typeId: string;
  const staff = { email: `gate-${Date.now()}@e2e.tickr.test`, password: 'door-password-1' };

  beforeAll(async () => {
    stack = await startStack();
    const organizer = await signUp(stack.api, 'organizer');
    const drop = await createDrop(stack.api, organizer);
    eventId = drop.id;
    listId = (await call<{ id: string }>(stack.api, 'POST', `/api/events/${eventId}/checkin/lists`, { name: 'Porte Nord' }, organizer.auth)).id;
    await inviteStaff(stack.api, organizer.auth, eventId, { ...staff, name: 'Salma Gate' });
    const buyer = await signUp(stack.api, 'participant', 'Amira Ben Salah');
    typeId = drop.ticketTypes[0]!.id;
    tickets = (await buyTickets(stack.api, buyer.auth, eventId, typeId, 4)).tickets;
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('admits online, refuses a second scan, reads a photo, works offline and syncs with the conflict shown', async () => {
    const page = await stack.newPage({ viewport: phone });
    await signInPage(page, staff, '/scan');
    await page.getByRole('link', { name: /Nuit du Jazz/ }).click();
    await page.waitForURL(`**/scan/${eventId}`);
    const answer = page.getByTestId('answer');
    await expect.poll(() => answer.textContent(), soon).toContain('Ready to scan');
    await stack.shot(page, 'scanner-1-ready-360');

    // Online: the edge decides.
    const code = page.getByLabel('Or type the ticket code');
    await code.fill(tickets[0]!.secret);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('valid');
    expect(await page.getByTestId('holder').textContent()).toBe('Amira Ben Salah');
    await stack.shot(page, 'scanner-2-valid-360');
    await code.fill(tickets[0]!.secret);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('already_used');
    await stack.shot(page, 'scanner-3-already-used-360');

    // A photo of the ticket's QR code, decoded in the browser (jsQR or BarcodeDetector).
    const png = join(tmpdir(), `ticket-${tickets[1]!.id}.png`);
    await writeFile(png, Buffer.from(tickets[1]!.qr.png.split(',')[1]!, 'base64'));
    await page.getByTestId('photo').setInputFiles(png);
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('valid');
    expect((await call<{ used: number }>(stack.api, 'GET', `/api/events/${eventId}/checkin/stats`, undefined, { authorization: `Bearer ${await staffToken()}` })).used).toBe(2);

    // Offline: the signature and the revocation list are checked in the browser, the scan is kept on the phone.
    await page.context().setOffline(true);
    await expect.poll(() => page.getByTestId('network').textContent(), soon).toContain('Offline');
    await code.fill(tickets[2]!.secret);
    await page.getByRole('button', { name: 'Check' }).click();
    // The photo's answer was 'valid' too: wait for this scan's own answer.
    await expect.poll(() => answer.textContent(), soon).toContain('Checked offline');
    expect(await answer.getAttribute('data-outcome')).toBe('valid');
    await expect.poll(() => page.getByTestId('pending').textContent(), soon).toContain('1 to sync');
    await stack.shot(page, 'scanner-4-offline-valid-360');
    // The same ticket again on this phone: refused from its own record.
    await code.fill(tickets[2]!.secret);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('already_used');
    // A forged ticket: one character of the signature changed.
    const secret = tickets[3]!.secret;
    const forged = secret.slice(0, -3) + (secret.at(-3) === 'A' ? 'B' : 'A') + secret.slice(-2);
    await code.fill(forged);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toMatch(/forged|malformed/);
    await stack.shot(page, 'scanner-5-offline-forged-360');

    // Meanwhile another gate, online, admits the ticket this phone let in offline.
    await call(stack.api, 'POST', '/api/checkin', { list: listId, secret: tickets[2]!.secret, gate: 'Porte Sud', device: 'phone-sud' }, { authorization: `Bearer ${await staffToken()}` });

    // Back online: the pending scan syncs by itself and the conflict is shown.
    await page.context().setOffline(false);
    await expect.poll(() => page.getByTestId('network').textContent(), soon).toBe('Online');
    await expect.poll(() => page.getByTestId('sync-note').textContent(), { timeout: 15_000 }).toContain('1 offline scan synced; 1 conflict.');
    expect(await page.getByTestId('conflicts').textContent()).toContain('Porte Sud');
    expect(await page.getByTestId('pending').count()).toBe(0);
    await stack.shot(page, 'scanner-6-synced-conflict-360');

    // Manual look-up by name, through the same check-in call.
    await page.getByPlaceholder('Holder name or order number').fill('Amira');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('.found li').count(), soon).toBe(4);
    await page.getByRole('button', { name: 'Admit', disabled: false }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('valid');

    for (const [locale, viewport, name] of [['fr', phone, 'scanner-fr-360'], ['ar', phone, 'scanner-ar-360'], ['en', desktop, 'scanner-en-1280']] as const) {
      await page.setViewportSize(viewport);
      await page.context().addCookies([{ name: 'tickr_lang', value: locale, url: stack.web }]);
      await page.reload();
      await expect.poll(() => page.locator('.log li').count(), soon).toBeGreaterThan(0);
      await stack.shot(page, name);
    }
  }, journeyMs);

  it('lands staff on their scanner, admits the short code typed from a pass, and tells two tickets of one order apart', async () => {
    const buyer = await signUp(stack.api, 'participant', 'Youssef Chaabane');
    const pair = (await buyTickets(stack.api, buyer.auth, eventId, typeId, 2)).tickets;
    const page = await stack.newPage({ viewport: phone });
    // Signed in with nowhere asked for: staff land on the scanner.
    await page.goto('/signin', { waitUntil: 'networkidle' });
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.locator('main').getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/scan');
    await page.getByRole('link', { name: /Nuit du Jazz/ }).click();
    await page.waitForURL(`**/scan/${eventId}`);
    const answer = page.getByTestId('answer');
    await expect.poll(() => answer.textContent(), soon).toContain('Ready to scan');

    // The code printed on the pass, typed in lower case: looked up online and admitted, never "Fake ticket".
    const code = page.getByLabel('Or type the ticket code');
    const printed = pair[0]!.id.slice(0, 8).toUpperCase();
    await code.fill(printed.toLowerCase());
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('valid');
    expect(await page.getByTestId('holder').textContent()).toBe('Youssef Chaabane');
    await code.fill(printed);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.getAttribute('data-outcome'), soon).toBe('already_used');
    // When and where, as a local clock time and the gate; no "UTC" at the door.
    const used = (await answer.textContent()) ?? '';
    expect(used).toMatch(/Scanned at \d\d:\d\d, Porte Nord/);
    expect(used).not.toContain('UTC');
    await stack.shot(page, 'scanner-code-already-used-360');

    // Searching the holder lists both tickets, each with the code on its pass.
    await page.getByPlaceholder(/name|order/i).fill('Chaabane');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('.found li');
    await expect.poll(() => rows.count(), soon).toBe(2);
    const shown = await rows.allTextContents();
    for (const ticket of pair) expect(shown.some((row) => row.includes(ticket.id.slice(0, 8).toUpperCase()))).toBe(true);
    await stack.shot(page, 'scanner-lookup-two-tickets-360');
  }, journeyMs);

  it('opens the scanner page again without a network, from the service worker', async () => {
    const page = await stack.newPage({ viewport: phone });
    await signInPage(page, staff, `/scan/${eventId}`);
    await expect.poll(() => page.getByTestId('answer').textContent(), soon).toContain('Ready to scan');
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    // Reload once so the page is fetched through the (now controlling) service worker and cached.
    await page.reload();
    await expect.poll(() => page.evaluate('navigator.serviceWorker.controller !== null'), soon).toBe(true);
    await page.context().setOffline(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('answer').textContent(), soon).toContain('Ready to scan');
    await expect.poll(() => page.getByTestId('network').textContent(), soon).toContain('Offline');
    await page.context().setOffline(false);
  }, journeyMs);

  it('reads a ticket from the camera (a fake camera playing a QR code) through getUserMedia and the frame decoder', async () => {
    const buyer = await signUp(stack.api, 'participant', 'Karim Camera');
    const [ticket] = (await buyTickets(stack.api, buyer.auth, eventId, typeId, 1)).tickets;
    const video = join(tmpdir(), `ticket-${ticket!.id}.y4m`);
    await qrVideo(ticket!.secret, video);
    // A browser of its own: the fake camera is a launch flag.
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
    try {
      const context = await browser.newContext({ viewport: phone, locale: 'en-GB', baseURL: stack.web, permissions: ['camera'] });
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      await signInPage(page, staff, `/scan/${eventId}`);
      await expect.poll(() => page.getByTestId('answer').textContent(), soon).toContain('Ready to scan');
      await page.getByRole('button', { name: 'Start camera' }).click();
      await expect.poll(() => page.getByTestId('answer').getAttribute('data-outcome'), { timeout: 20_000 }).toBe('valid');
      expect(await page.getByTestId('holder').textContent()).toBe('Karim Camera');
      await stack.shot(page, 'scanner-camera-valid-360');
      await page.getByRole('button', { name: 'Stop camera' }).click();
    } finally {
      await browser.close();
    }
  }, journeyMs);

  async function staffToken(): Promise<string> {
    return (await call<{ token: string }>(stack.api, 'POST', '/api/auth/signin', staff)).token;
  }
});
