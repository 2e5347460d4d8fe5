import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDrop, desktop, phone, poll, signUp, startStack, type Stack } from './harness.ts';

/**
 * Promo codes (#15) in a browser: the organizer creates a code on the event's
 * Promo codes tab, the buyer types it at checkout, sees the discounted total,
 * pays it, and the order page and the payout show the discount. English at
 * 1280 px, French at 360 px.
 */

const journeyMs = 150_000;

type Person = Awaited<ReturnType<typeof signUp>>;

/** Signed in by the session cookie the sign-in form would set (the sign-in journey has its own tests). */
async function pageOf(stack: Stack, who: Person, viewport: { width: number; height: number }, locale: string): Promise<Page> {
  const page = await stack.newPage({ viewport, locale });
  await page.context().addCookies([{ name: 'tickr_session', value: who.token, url: stack.web }]);
  return page;
}

async function noSidewaysScroll(page: Page): Promise<void> {
  // A string, evaluated in the page: the root tsconfig has no DOM types.
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
}

describe('promo codes in a browser', () => {
  let stack: Stack;
  let organizer: Person;

  beforeAll(async () => {
    stack = await startStack();
    organizer = await signUp(stack.api, 'organizer');
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('EN, 1280 px: the organizer creates a 20 % code for one type; the buyer applies it, pays the discounted price, and sees the discount', async () => {
    const drop = await createDrop(stack.api, organizer);
    const org = await pageOf(stack, organizer, desktop, 'en-GB');
    await org.goto(`/organizer/events/${drop.id}`, { waitUntil: 'networkidle' });
    await org.getByRole('link', { name: 'Promo codes', exact: true }).click();
    await org.waitForURL(`**/organizer/events/${drop.id}/promo`);
    await org.waitForLoadState('networkidle');
    await org.getByLabel('Code', { exact: true }).fill('jazz20');
    await org.getByLabel('Percent off').check();
    await org.getByLabel('Value').fill('20');
    await org.getByLabel('Ticket type').selectOption({ label: 'Standard' });
    await org.getByLabel('Cap on uses').fill('5');
    await org.getByRole('button', { name: 'Create the code' }).click();
    await poll(() => org.getByRole('status').first().textContent()).toContain('Code JAZZ20 created.');
    const row = org.locator('[data-testid=promo-code][data-code=JAZZ20]');
    await poll(() => row.textContent()).toContain('0 of 5 used');
    expect(await row.textContent()).toContain('Standard');
    // The form starts afresh for the next code: empty, percent chosen.
    expect(await org.getByLabel('Code', { exact: true }).inputValue()).toBe('');
    expect(await org.getByLabel('Percent off').isChecked()).toBe(true);
    await stack.shot(org, 'promo-1-organizer-codes-en-1280');

    const buyer = await signUp(stack.api, 'participant', 'Amira Ben Salah');
    const page = await pageOf(stack, buyer, desktop, 'en-GB');
    await page.goto(`/events/${drop.id}`, { waitUntil: 'networkidle' });
    const standard = page.locator('.type', { hasText: 'Standard' });
    await standard.getByLabel(/Quantity/).selectOption('2');
    await standard.getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await page.waitForLoadState('networkidle');
    // A wrong code is refused beside the field, and the price stays.
    await page.getByLabel('Promo code').fill('nope');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(() => page.locator('#promo-state').textContent()).toContain('not valid for this event');
    await page.getByLabel('Promo code').fill('Jazz20');
    await page.getByRole('button', { name: 'Apply' }).click();
    // 2 × TND 45.000, 20 % off each: 9.000 × 2 = 18.000 off, 72.000 to pay.
    await poll(() => page.getByTestId('hold-discount').textContent()).toContain('18.000');
    expect(await page.getByTestId('hold-total').textContent()).toContain('72.000');
    await stack.shot(page, 'promo-2-hold-applied-en-1280');

    await page.getByRole('button', { name: /^Pay .*72\.000/ }).click();
    await page.waitForURL('**/pay/simulated/**');
    await poll(() => page.locator('main').textContent()).toContain('72.000');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL('**/orders/**');
    await poll(() => page.locator('img.qr').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('order-discount').textContent()).toMatch(/Discount \(JAZZ20\).*18\.000/);
    expect(await page.getByTestId('order-total').textContent()).toContain('72.000');
    await stack.shot(page, 'promo-3-order-discount-en-1280');

    // The organizer's list counts the use; the payout shows the discount and the fee on what was paid.
    await org.reload();
    await poll(() => org.locator('[data-testid=promo-code][data-code=JAZZ20]').textContent()).toContain('1 of 5 used');
    await org.goto(`/organizer/events/${drop.id}/money`);
    expect(await org.getByTestId('discounts').textContent()).toContain('18.000');
    const payout = await call<{ gross: number; discounts: number; fees: number; net: number }>(stack.api, 'GET', `/api/events/${drop.id}/payout`, undefined, organizer.auth);
    // 4 % of 36.000 paid per ticket = 1.440, twice.
    expect(payout).toMatchObject({ gross: 90_000, discounts: 18_000, fees: 2_880, net: 69_120 });
    await stack.shot(org, 'promo-4-payout-en-1280');

    // Disabling: the code stays listed, disabled.
    await org.goto(`/organizer/events/${drop.id}/promo`, { waitUntil: 'networkidle' });
    await org.getByRole('button', { name: 'Disable JAZZ20' }).click();
    await poll(() => org.getByRole('status').first().textContent()).toContain('Code JAZZ20 disabled.');
    await poll(() => org.locator('[data-testid=promo-code][data-code=JAZZ20]').textContent()).toContain('Disabled');
  }, journeyMs);

  it('FR, 360 px: an amount off each ticket, typed in French, applied and shown on the order', async () => {
    const drop = await createDrop(stack.api, organizer);
    const org = await pageOf(stack, organizer, phone, 'fr-FR');
    await org.goto(`/organizer/events/${drop.id}/promo`, { waitUntil: 'networkidle' });
    expect(await org.locator('html').getAttribute('lang')).toBe('fr');
    await org.getByLabel('Code', { exact: true }).fill('ETE-5');
    await org.getByLabel('Montant par billet').check();
    await org.getByLabel('Valeur').fill('5,500');
    await org.getByRole('button', { name: 'Créer le code' }).click();
    await poll(() => org.getByRole('status').first().textContent()).toContain('Code ETE-5 créé.');
    await poll(() => org.locator('[data-testid=promo-code][data-code=ETE-5]').textContent()).toContain('Tous les types de billets');
    await noSidewaysScroll(org);
    await stack.shot(org, 'promo-5-organizer-codes-fr-360');

    const buyer = await signUp(stack.api, 'participant', 'Sami Trabelsi');
    const hold = await call<{ holdId: string }>(stack.api, 'POST', `/api/events/${drop.id}/holds`, { typeId: drop.ticketTypes[1]!.id, quantity: 1 },
      { ...buyer.auth, 'idempotency-key': `promo-fr-${Date.now()}` });
    const page = await pageOf(stack, buyer, phone, 'fr-FR');
    await page.goto(`/holds/${hold.holdId}`, { waitUntil: 'networkidle' });
    await page.getByLabel('Code promo').fill('ete-5');
    await page.getByRole('button', { name: 'Appliquer' }).click();
    // Carré Or, TND 120.000, 5.500 off: 114.500.
    await poll(() => page.getByTestId('hold-discount').textContent()).toMatch(/Réduction \(ETE-5\)/);
    expect(await page.getByTestId('hold-total').textContent()).toMatch(/114[,.]500/);
    await noSidewaysScroll(page);
    await stack.shot(page, 'promo-6-hold-applied-fr-360');

    await page.getByRole('button', { name: /^Payer / }).click();
    await page.waitForURL('**/pay/simulated/**');
    await page.getByRole('button', { name: /^Payer / }).click();
    await page.waitForURL('**/orders/**');
    await poll(() => page.locator('img.qr').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('order-discount').textContent()).toMatch(/Réduction \(ETE-5\).*5[,.]500/);
    expect(await page.getByTestId('order-total').textContent()).toMatch(/114[,.]500/);
    await noSidewaysScroll(page);
    await stack.shot(page, 'promo-7-order-discount-fr-360');
  }, journeyMs);

  it('AR, 360 px: the organizer\'s codes and the hold page read right to left and fit the phone', async () => {
    const drop = await createDrop(stack.api, organizer);
    await call(stack.api, 'POST', `/api/events/${drop.id}/promo-codes`, { code: 'RAMADAN15', percentOff: 15, maxUses: 100 }, organizer.auth);
    const org = await pageOf(stack, organizer, phone, 'ar-TN');
    await org.goto(`/organizer/events/${drop.id}/promo`, { waitUntil: 'networkidle' });
    expect(await org.locator('html').getAttribute('dir')).toBe('rtl');
    await poll(() => org.locator('[data-testid=promo-code][data-code=RAMADAN15]').textContent()).toContain('فعّال');
    await noSidewaysScroll(org);
    await stack.shot(org, 'promo-8-organizer-codes-ar-360');

    const buyer = await signUp(stack.api, 'participant', 'Yasmine Gharbi');
    const hold = await call<{ holdId: string }>(stack.api, 'POST', `/api/events/${drop.id}/holds`, { typeId: drop.ticketTypes[0]!.id, quantity: 1 },
      { ...buyer.auth, 'idempotency-key': `promo-ar-${Date.now()}` });
    const page = await pageOf(stack, buyer, phone, 'ar-TN');
    await page.goto(`/holds/${hold.holdId}`, { waitUntil: 'networkidle' });
    await page.getByLabel('رمز الخصم').fill('ramadan15');
    await page.getByRole('button', { name: 'تطبيق' }).click();
    // TND 45.000, 15 % off: 6.750 off, 38.250 to pay.
    await poll(() => page.getByTestId('hold-discount').textContent()).toMatch(/6[,.]750/);
    expect(await page.getByTestId('hold-total').textContent()).toMatch(/38[,.]250/);
    await noSidewaysScroll(page);
    await stack.shot(page, 'promo-9-hold-applied-ar-360');
  }, journeyMs);
});
