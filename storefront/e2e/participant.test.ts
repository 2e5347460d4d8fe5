import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrop, desktop, signUp, startStack, type Stack } from './harness.ts';

/** Browser journeys start a node, build the storefront if stale and drive Chromium: slower than unit tests. */
const journeyMs = 90_000;

describe('participant journey in a browser', () => {
  let stack: Stack;
  let drop: Awaited<ReturnType<typeof createDrop>>;

  beforeAll(async () => {
    stack = await startStack();
    const organizer = await signUp(stack.api, 'organizer');
    drop = await createDrop(stack.api, organizer.auth);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('signs up, finds the drop, holds tickets and sees the hold count down', async () => {
    const page = await stack.newPage();
    await page.goto('/');
    await expect.poll(() => page.locator('h1').textContent()).toContain('Upcoming drops');
    await stack.shot(page, 'participant-1-home');

    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Your name').fill('Amira Ben Salah');
    await page.getByLabel('Email').fill(`amira-${Date.now()}@e2e.tickr.test`);
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.locator('.who').textContent()).toBe('Amira Ben Salah');

    await page.getByRole('link', { name: /Nuit du Jazz/ }).click();
    await page.waitForURL(`**/events/${drop.id}`);
    await expect.poll(() => page.locator('.type').count()).toBe(2);
    await stack.shot(page, 'participant-2-event');

    const standard = page.locator('.type', { hasText: 'Standard' });
    await standard.getByLabel(/Quantity/).selectOption('2');
    await standard.getByRole('button', { name: 'Hold tickets' }).click();
    await page.waitForURL('**/holds/**');
    await expect.poll(() => page.locator('.countdown-clock').textContent()).toMatch(/^[45]:\d\d$/);
    expect(await page.locator('.summary .total dd').textContent()).toContain('90');
    await stack.shot(page, 'participant-3-hold');

    // The event page shows the two held tickets as gone from what is left.
    await page.goto(`/events/${drop.id}`);
    await expect.poll(() => standard.locator('.type-stock').textContent()).toContain('298');
  }, journeyMs);

  it('shows an error as a sentence, not JSON', async () => {
    const page = await stack.newPage();
    await page.goto('/signin');
    await page.getByLabel('Email').fill('nobody@e2e.tickr.test');
    await page.getByLabel('Password').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('The email or the password is wrong');
    expect(await alert.textContent()).not.toContain('{');
  }, journeyMs);

  it('renders Arabic right to left, and the choice of language sticks', async () => {
    const page = await stack.newPage();
    await page.goto(`/events/${drop.id}`);
    await page.getByRole('button', { name: 'العربية' }).click();
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
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

  it('fits a 360 px phone and a desktop without sideways scrolling', async () => {
    for (const viewport of [{ width: 360, height: 780 }, desktop]) {
      const page = await stack.newPage({ viewport, locale: 'fr-FR' });
      await page.goto(`/events/${drop.id}`);
      // A string, evaluated in the page: the root tsconfig has no DOM types.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.locator('html').getAttribute('lang')).toBe('fr');
      await stack.shot(page, `event-fr-${viewport.width}`);
    }
  }, journeyMs);
});
