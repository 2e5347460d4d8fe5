import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { call, createDrop, desktop, poll, signInPage, signUp, startStack, type Stack } from './harness.ts';

const jsQR = jsQRModule.default;

/** What a door scanner does with a picture of the screen: PNG pixels → QR text. */
function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data ?? null;
}

/** The page's session token (an httpOnly cookie the page itself cannot read), for asking the API what the page shows. */
async function bearerOf(page: Page): Promise<Record<string, string>> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'tickr_session');
  return { authorization: `Bearer ${cookie!.value}` };
}

/** Browser journeys start a node, build the storefront if stale and drive Chromium: slower than unit tests. */
const journeyMs = 90_000;

describe('participant journey in a browser', () => {
  let stack: Stack;
  let drop: Awaited<ReturnType<typeof createDrop>>;

  beforeAll(async () => {
    stack = await startStack();
    const organizer = await signUp(stack.api, 'organizer');
    drop = await createDrop(stack.api, organizer);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('signs up, finds the drop, holds tickets and sees the hold count down', async () => {
    const page = await stack.newPage();
    await page.goto('/');
    await poll(() => page.locator('h1').textContent()).toContain('Upcoming drops');
    await stack.shot(page, 'participant-1-home');

    // On a phone the bar offers sign-in only; the sign-in page leads to account creation.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Your name').fill('Amira Ben Salah');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`amira-${Date.now()}@e2e.tickr.test`);
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await poll(() => page.locator('.who').textContent()).toBe('Amira Ben Salah');

    await page.getByRole('link', { name: /Nuit du Jazz/ }).click();
    await page.waitForURL(`**/events/${drop.id}`);
    await poll(() => page.locator('.type').count()).toBe(2);
    await stack.shot(page, 'participant-2-event');

    const standard = page.locator('.type', { hasText: 'Standard' });
    await standard.getByLabel(/Quantity/).selectOption('2');
    await standard.getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await poll(() => page.locator('.countdown-clock').textContent()).toMatch(/^[45]:\d\d$/);
    expect(await page.locator('.summary .total dd').textContent()).toContain('90');
    await stack.shot(page, 'participant-3-hold');

    // Simulated payment: the pay page, then the order page until the jobs have issued the tickets.
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/pay/simulated/**');
    await stack.shot(page, 'participant-4-pay');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/orders/**');
    const qr = page.locator('img.qr');
    await poll(() => qr.count(), { timeout: 30_000 }).toBe(2);
    await stack.shot(page, 'participant-5-order-tickets');

    // The QR code as the screen shows it decodes to the ticket's secret: a door scanner can read it.
    const orderId = new URL(page.url()).pathname.split('/').pop()!;
    const { tickets } = await call<{ tickets: { secret: string }[] }>(stack.api, 'GET', `/api/orders/${orderId}/tickets`, undefined, await bearerOf(page));
    const seen = decodeQr(await qr.first().screenshot());
    expect(tickets.map((t) => t.secret)).toContain(seen);

    await page.getByRole('link', { name: 'My tickets' }).first().click();
    await page.waitForURL('**/tickets');
    await poll(() => page.locator('img.qr').count()).toBe(2);
    expect(await page.locator('.order-row .status').first().textContent()).toBe('Tickets issued');
    await stack.shot(page, 'participant-6-my-tickets');
    await page.getByRole('button', { name: 'العربية' }).click();
    await poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    await stack.shot(page, 'participant-7-my-tickets-arabic');
    await page.getByRole('button', { name: 'English' }).click();
    await poll(() => page.locator('html').getAttribute('dir')).toBe('ltr');

    // The event page counts the two sold tickets as gone.
    await page.goto(`/events/${drop.id}`);
    await poll(() => standard.locator('.type-stock').textContent()).toContain('298');
  }, journeyMs);

  it('says plainly when the payment is declined', async () => {
    const buyer = await signUp(stack.api, 'participant', 'Declined Dora');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${drop.id}`);
    await page.locator('.type', { hasText: 'Carré Or' }).getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/pay/simulated/**');
    await page.getByRole('button', { name: 'Decline the payment' }).click();
    await page.waitForURL('**/orders/**');
    await poll(() => page.locator('[data-outcome]').getAttribute('data-outcome')).toBe('failed');
    expect(await page.getByRole('alert').textContent()).toContain('The payment was declined');
    await stack.shot(page, 'participant-declined');
  }, journeyMs);

  it('asks for a refund from my tickets within the policy, and the order turns refunded', async () => {
    const organizer = await signUp(stack.api, 'organizer');
    const refundable = await createDrop(stack.api, organizer, { name: 'Refundable recital', refundPolicy: 'always' });
    const buyer = await signUp(stack.api, 'participant', 'Refund Rim');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${refundable.id}`);
    await page.locator('.type', { hasText: 'Standard' }).getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/pay/simulated/**');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/orders/**');
    await poll(() => page.locator('img.qr').count(), { timeout: 30_000 }).toBe(1);

    await page.goto('/tickets');
    expect(await page.getByText('Refunds are open until the event starts.').count()).toBe(1);
    await page.getByRole('button', { name: 'Request a refund' }).click();
    await poll(() => page.getByRole('status').last().textContent()).toContain('Your refund request was sent.');
    await poll(async () => {
      await page.reload();
      return page.locator('.order-row .status').first().textContent();
    }, { timeout: 30_000, interval: 1_000 }).toBe('Refunded');
    await stack.shot(page, 'participant-refunded');
  }, journeyMs);

  it('releases a hold, and its tickets are back on sale', async () => {
    const buyer = await signUp(stack.api, 'participant', 'Changing Chedli');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${drop.id}`);
    const vip = page.locator('.type', { hasText: 'Carré Or' });
    const left = async () => Number((await vip.locator('.type-stock').textContent())?.match(/\d+/)?.[0] ?? -1);
    const before = await left();
    await vip.getByLabel(/Quantity/).selectOption('3');
    await vip.getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await page.getByRole('button', { name: 'Release these tickets' }).click();
    await page.waitForURL((url) => url.pathname === `/events/${drop.id}`);
    await poll(() => page.getByRole('status').first().textContent()).toContain('The tickets were released.');
    await poll(left).toBe(before);
  }, journeyMs);

  it('says plainly when the hold expires before payment', async () => {
    const organizer = await signUp(stack.api, 'organizer');
    const quick = await createDrop(stack.api, organizer, { name: 'Short hold drop', holdTtlSeconds: 30 });
    const buyer = await signUp(stack.api, 'participant', 'Slow Sami');
    const page = await stack.newPage();
    await signInPage(page, buyer, `/events/${quick.id}`);
    await page.locator('.type', { hasText: 'Standard' }).getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await poll(() => page.locator('[data-outcome="expired"]').count(), { timeout: 45_000, interval: 1_000 }).toBe(1);
    expect(await page.getByRole('alert').textContent()).toContain('Your hold has expired');
    await stack.shot(page, 'participant-hold-expired');
    // Paying now is refused with the same sentence, not an error page.
    await page.reload();
    await poll(() => page.locator('[data-outcome="expired"]').count()).toBe(1);
  }, journeyMs);

  it('shows an error as a sentence, not JSON', async () => {
    const page = await stack.newPage();
    await page.goto('/signin');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('nobody@e2e.tickr.test');
    await page.getByLabel('Password').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    const alert = page.getByRole('alert');
    // Generous: the edge spends as long on an unknown email as on a real password check.
    await poll(() => alert.textContent(), { timeout: 45_000 }).toContain('The email or the password is wrong');
    expect(await alert.textContent()).not.toContain('{');
  }, journeyMs);

  it('renders Arabic right to left, and the choice of language sticks', async () => {
    const page = await stack.newPage();
    await page.goto(`/events/${drop.id}`);
    await page.getByRole('button', { name: 'العربية' }).click();
    await poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ar');
    expect(await page.locator('#tickets-title').textContent()).toBe('التذاكر');
    // Right to left: the brand sits at the right edge of the bar.
    const brand = await page.locator('.brand').boundingBox();
    expect(brand!.x).toBeGreaterThan(180);
    await stack.shot(page, 'arabic-event-rtl');

    await page.goto('/');
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await stack.shot(page, 'arabic-home-rtl');
  }, journeyMs);

  it('fits a 360 px phone and a desktop without sideways scrolling, and names every control', async () => {
    for (const viewport of [{ width: 360, height: 780 }, desktop]) {
      const page = await stack.newPage({ viewport, locale: 'fr-FR' });
      await page.goto(`/events/${drop.id}`);
      // A string, evaluated in the page: the root tsconfig has no DOM types.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.locator('html').getAttribute('lang')).toBe('fr');
      await stack.shot(page, `event-fr-${viewport.width}`);
    }
    // Every control a person can reach has a name a screen reader says, on the pages of the journey.
    const page = await stack.newPage();
    for (const path of ['/', '/signin', '/signup', `/events/${drop.id}`]) {
      await page.goto(path);
      const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
        .filter((el) => el.checkVisibility())
        .filter((el) => !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim() || el.getAttribute('title')))
        .map((el) => el.outerHTML.slice(0, 80))`);
      expect(unnamed, path).toEqual([]);
    }
  }, journeyMs);
});
