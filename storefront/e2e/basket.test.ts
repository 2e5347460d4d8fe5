import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDrop, desktop, phone, poll, signInPage, signUp, startStack, type Stack } from './harness.ts';

/**
 * A basket in a browser (#15): two ticket types of one drop held together,
 * a name per ticket, one simulated payment, and passes that show the names;
 * then a name changed on the order page, which the door's look-up finds.
 * In English at 1280 px, in French and Arabic at 360 px; screenshots of each step in
 * storefront/test-artifacts/.
 */

const journeyMs = 150_000;

describe('basket journey in a browser', () => {
  let stack: Stack;
  let organizer: Awaited<ReturnType<typeof signUp>>;
  let drop: Awaited<ReturnType<typeof createDrop>>;

  beforeAll(async () => {
    stack = await startStack();
    organizer = await signUp(stack.api, 'organizer');
    drop = await createDrop(stack.api, organizer);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const runs = [
    { label: 'en-1280', viewport: desktop, lang: 'en', names: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'], pay: /^Pay / },
    { label: 'fr-360', viewport: phone, lang: 'fr', names: ['Aïcha Ben Ali', 'Émile Zola', 'Hédi Jouini'], pay: /^Payer / },
    { label: 'ar-360', viewport: phone, lang: 'ar', names: ['فاطمة بن علي', 'Émile Zola', 'هادي الجويني'], pay: /^ادفع / },
  ] as const;

  for (const run of runs) {
    it(`holds two types together, names each ticket, pays once and shows the names on the passes (${run.label})`, async () => {
      const buyer = await signUp(stack.api, 'participant', 'Pat Participant');
      const page = await stack.newPage({ viewport: run.viewport });
      await signInPage(page, buyer, `/events/${drop.id}`);
      await page.context().addCookies([{ name: 'tickr_lang', value: run.lang, url: stack.web }]);
      await page.reload();
      await page.waitForLoadState('networkidle');
      const [standard, carre] = [drop.ticketTypes[0]!, drop.ticketTypes[1]!];

      const basket = page.locator('form.basket');
      await basket.locator(`select[name="q:${standard.id}"]`).selectOption('2');
      await basket.locator(`select[name="q:${carre.id}"]`).selectOption('1');
      // The button says what the basket holds and costs: 2 × 45 + 120 TND.
      await poll(() => basket.locator('button[type=submit]').textContent()).toMatch(/210/);
      await basket.scrollIntoViewIfNeeded();
      await stack.shot(page, `basket-${run.label}-1-event`);
      await basket.locator('button[type=submit]').click();
      await page.waitForURL('**/holds/*,*');

      // Every line, the total of both, and a name field per ticket.
      await poll(() => page.locator('[data-testid=hold-lines] > div').count()).toBe(3);
      expect(await page.locator('.summary .total dd').textContent()).toContain('210');
      const holdIds = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!).split(',');
      expect(holdIds).toHaveLength(2);
      const fields = page.locator('input[name^="holder:"]');
      await poll(() => fields.count()).toBe(3);
      for (const [n, name] of run.names.entries()) await fields.nth(n).fill(name);
      await stack.shot(page, `basket-${run.label}-2-hold`);

      await page.getByRole('button', { name: run.pay }).click();
      await page.waitForURL('**/pay/simulated/**');
      expect(await page.locator('main').textContent()).toContain('210');
      await stack.shot(page, `basket-${run.label}-3-pay`);
      await page.getByRole('button', { name: run.pay }).click();
      await page.waitForURL('**/orders/**');

      // One order for both types; three passes, each with its holder's name.
      const passes = page.locator('.passes > li');
      await poll(() => page.locator('img.qr').count(), { timeout: 40_000 }).toBe(3);
      await poll(() => page.locator('[data-testid=order-lines] > div').count()).toBe(4);
      const shown = await passes.allTextContents();
      for (const name of run.names) expect(shown.some((text) => text.includes(name)), `a pass shows ${name}`).toBe(true);
      await stack.shot(page, `basket-${run.label}-4-passes`);

      // A holder changed afterwards: the pass shows the new name, and so does the door's look-up.
      const last = passes.filter({ hasText: run.names[2] });
      await last.locator('input[name=name]').fill('Katherine Johnson');
      await last.locator('form.holder-form button[type=submit]').click();
      await poll(() => passes.filter({ hasText: 'Katherine Johnson' }).locator('dd').allTextContents()).toContain('Katherine Johnson');
      await stack.shot(page, `basket-${run.label}-5-renamed`);

      const orderId = new URL(page.url()).pathname.split('/').pop()!;
      const lookup = await call<{ tickets: { holderName: string; orderId: string }[] }>(
        stack.api, 'GET', `/api/events/${drop.id}/checkin/lookup?orderId=${orderId}`, undefined, organizer.auth);
      expect(lookup.tickets.map((t) => t.holderName).sort()).toEqual([run.names[0], run.names[1], 'Katherine Johnson'].sort());
    }, journeyMs);
  }
});
