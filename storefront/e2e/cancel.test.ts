import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDrop, desktop, phone, poll, signInPage, signUp, startStack, type Stack } from './harness.ts';
import { buyTickets } from './office_helpers.ts';

/**
 * Cancelling an event and the attendee list (#15) in a browser: the organizer
 * downloads the CSV from the event's dashboard, cancels the event (the name
 * typed, the browser's confirmation accepted), watches the refunds' progress
 * reach every order, and a buyer sees the event cancelled. In English at
 * 360 px and in French at 1280 px; the cancelled dashboard in Arabic too.
 */

const journeyMs = 180_000;

describe('cancelling an event in a browser', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** An event with two paid orders (three tickets), and its organizer. */
  async function soldEvent(name: string) {
    const organizer = await signUp(stack.api, 'organizer', 'Olfa Ben Ammar');
    const drop = await createDrop(stack.api, organizer, { name });
    const [amira, bob] = await Promise.all([signUp(stack.api, 'participant', '=Amira, "la fan"'), signUp(stack.api, 'participant', 'Bob Martin')]);
    await buyTickets(stack.api, amira.auth, drop.id, drop.ticketTypes[0]!.id, 2);
    await buyTickets(stack.api, bob.auth, drop.id, drop.ticketTypes[1]!.id, 1);
    return { organizer, drop, amira };
  }

  async function noSidewaysScroll(page: Page): Promise<void> {
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
  }

  async function journey(opts: { lang: 'en' | 'fr'; viewport: { width: number; height: number }; words: Record<'csv' | 'cancel' | 'done' | 'badge' | 'public', RegExp> }) {
    const name = `Nuit du Jazz ${opts.lang} ${opts.viewport.width}`;
    const { organizer, drop, amira } = await soldEvent(name);
    const page = await stack.newPage({ viewport: opts.viewport });
    const dashboard = `/organizer/events/${drop.id}`;
    await signInPage(page, organizer, dashboard);
    if (opts.lang !== 'en') {
      await page.context().addCookies([{ name: 'tickr_lang', value: opts.lang, url: stack.web }]);
      await page.goto(dashboard, { waitUntil: 'networkidle' });
    }
    const tag = `${opts.lang}-${opts.viewport.width}`;

    // The attendee list, downloaded as a person would from the event's page.
    const link = page.getByRole('link', { name: opts.words.csv });
    await link.scrollIntoViewIfNeeded();
    await stack.shot(page, `cancel-1-dashboard-${tag}`);
    await noSidewaysScroll(page);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`attendees-${drop.id}.csv`);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('Name,Email,Ticket type,Order,Ticket,Checked in,Checked in at (Africa/Tunis)');
    expect(lines.slice(1, -1)).toHaveLength(3);
    // The buyer's name starts with "=": neutralised, and quoted for its comma and quotes.
    expect(lines.filter((l) => l.startsWith(`"'=Amira, ""la fan""",${amira.email},Standard,`))).toHaveLength(2);

    // Cancel: the button waits for the event's name, then the browser asks once more.
    const button = page.getByRole('button', { name: opts.words.cancel });
    expect(await button.isDisabled()).toBe(true);
    await page.getByTestId('cancel-name').fill(name);
    await stack.shot(page, `cancel-2-confirm-${tag}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await button.click();
    const progress = page.getByTestId('cancel-progress');
    await poll(() => progress.isVisible()).toBe(true);
    await poll(() => page.getByTestId('cancel-state').textContent(), { timeout: 60_000 }).toMatch(opts.words.done);
    expect(await page.getByTestId('cancel-count').textContent()).toMatch(/2\s*\/\s*2/);
    expect(await page.getByTestId('event-status').textContent()).toMatch(opts.words.badge);
    await progress.scrollIntoViewIfNeeded();
    await stack.shot(page, `cancel-3-progress-${tag}`);
    await noSidewaysScroll(page);

    // A buyer sees it cancelled, with nothing to buy.
    const buyer = await stack.newPage({ viewport: opts.viewport, locale: opts.lang === 'fr' ? 'fr-FR' : 'en-GB' });
    await buyer.goto(`/events/${drop.id}`);
    expect(await buyer.getByTestId('event-cancelled').textContent()).toMatch(opts.words.public);
    expect(await buyer.locator('form.buy').count()).toBe(0);
    await stack.shot(buyer, `cancel-4-public-${tag}`);
    // The home page's list says so too, instead of "On sale".
    await buyer.goto('/');
    expect(await buyer.locator('a', { hasText: name }).getByTestId('drop-cancelled').count()).toBe(1);
    return { drop, organizer, page };
  }

  it('in English on a 360 px phone: exports the attendees, cancels, and follows the refunds to the end', async () => {
    await journey({ lang: 'en', viewport: phone, words: {
      csv: /Download the attendee list/, cancel: /Cancel the event and refund everyone/, done: /every paid order is refunded/, badge: /Cancelled/, public: /cancelled by its organizer/,
    } });
  }, journeyMs);

  it('in French at 1280 px, and the cancelled dashboard in Arabic (right to left) at 360 px', async () => {
    const { drop, organizer } = await journey({ lang: 'fr', viewport: desktop, words: {
      csv: /Télécharger la liste des participants/, cancel: /Annuler l’événement et rembourser/, done: /toutes les commandes payées sont remboursées/, badge: /Annulé/, public: /annulé par son organisateur/,
    } });
    const page = await stack.newPage({ viewport: phone });
    await signInPage(page, organizer, `/organizer/events/${drop.id}`);
    await page.context().addCookies([{ name: 'tickr_lang', value: 'ar', url: stack.web }]);
    await page.goto(`/organizer/events/${drop.id}`, { waitUntil: 'networkidle' });
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.getByTestId('cancel-state').textContent()).toContain('اكتمل');
    await page.getByTestId('cancel-progress').scrollIntoViewIfNeeded();
    await stack.shot(page, 'cancel-5-progress-ar-360');
    await noSidewaysScroll(page);
    // The API agrees with the page.
    const { cancellation } = await call<{ cancellation: { state: string; orders: { total: number; refunded: number } } }>(stack.api, 'GET', `/api/events/${drop.id}/cancellation`, undefined, organizer.auth);
    expect(cancellation).toMatchObject({ state: 'done', orders: { total: 2, refunded: 2 } });
  }, journeyMs);
});
