import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { call, createDrop, desktop, phone, poll, signUp, startStack, type Stack } from './harness.ts';

/**
 * The buyer's rough edges of #15 in a browser: a pending hold on My tickets
 * with its countdown, the limit message with the number left, the order page
 * right after paying ("payment received, issuing tickets…", never a Pay
 * button), the receipt with its calendar file, and the confirmation email's
 * receipt and signed calendar link. In English on a phone and in French on a
 * desktop, with screenshots.
 */

const journeyMs = 150_000;

const words = {
  en: {
    hold: 'Hold tickets', quantity: /Quantity/, pay: /^Pay /, pending: 'Held, waiting for payment', continue: 'Continue to checkout',
    limit: 'you can take only 1 more ticket', issuing: 'Payment received, issuing tickets…', waiting: 'Waiting for payment', payNow: 'Pay now',
    paidBadge: 'Paid', receipt: ['Receipt', '3 × Standard', 'Test card (simulated payment)', 'Africa/Tunis'], calendar: 'Add to calendar (.ics)',
  },
  fr: {
    hold: 'Réserver', quantity: /Quantité/, pay: /^Payer /, pending: 'Réservés, en attente de paiement', continue: 'Continuer vers le paiement',
    limit: 'vous pouvez encore en prendre un seul', issuing: 'Paiement reçu, émission des billets…', waiting: 'En attente de paiement', payNow: 'Payer maintenant',
    paidBadge: 'Payée', receipt: ['Reçu', '3 × Standard', 'Carte de test', 'Africa/Tunis'], calendar: 'Ajouter à l’agenda (.ics)',
  },
} as const;

const variants = [
  { lang: 'en' as const, locale: 'en-GB', viewport: phone, size: 360 },
  { lang: 'fr' as const, locale: 'fr-FR', viewport: desktop, size: 1280 },
];

describe('buyer: pending hold, limit, paying, receipt, calendar (#15)', () => {
  let stack: Stack;
  let db: pg.Client;

  beforeAll(async () => {
    stack = await startStack();
    db = new pg.Client({ connectionString: stack.dbUrl });
    await db.connect();
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  /** Signed in as `token` without the sign-in form (the journey under test starts after it). */
  async function signedIn(token: string, v: (typeof variants)[number]): Promise<Page> {
    const page = await stack.newPage({ viewport: v.viewport, locale: v.locale });
    await page.context().addCookies([{ name: 'tickr_session', value: token, url: stack.web, httpOnly: true }]);
    return page;
  }

  for (const v of variants) {
    it(`${v.lang} at ${v.size} px`, async () => {
      const w = words[v.lang];
      const organizer = await signUp(stack.api, 'organizer');
      const drop = await createDrop(stack.api, organizer, { name: `Nuit du Jazz ${v.lang}`, timeZone: 'Africa/Tunis', address: '1 avenue de la Paix, Hammamet', perBuyerLimit: 4 });
      const buyer = await signUp(stack.api, 'participant', 'Amira Ben Salah');
      const page = await signedIn(buyer.token, v);
      const name = (what: string) => `buyer-${v.lang}-${v.size}-${what}`;

      // A hold of 3 (the limit is 4).
      await page.goto(`/events/${drop.id}`);
      await page.waitForLoadState('networkidle');
      const standard = page.locator('.type', { hasText: 'Standard' });
      await standard.getByLabel(w.quantity).selectOption('3');
      await standard.getByRole('button', { name: w.hold }).click();
      await page.waitForURL('**/holds/**');
      const holdId = new URL(page.url()).pathname.split('/').pop()!;

      // My tickets lists it, counting down, with the way back to checkout.
      await page.goto('/tickets');
      const pending = page.getByTestId('pending-holds');
      await poll(() => pending.getByRole('heading', { level: 2 }).textContent()).toBe(w.pending);
      await poll(() => pending.locator('.countdown-clock').textContent()).toMatch(/^[45]:\d\d$/);
      const first = await pending.locator('.countdown-clock').textContent();
      await poll(() => pending.locator('.countdown-clock').textContent(), { timeout: 5_000 }).not.toBe(first);
      expect(await pending.getByRole('link', { name: w.continue }).getAttribute('href')).toBe(`/holds/${holdId}`);
      await stack.shot(page, name('1-pending-hold'));

      // Two more would pass the limit: the message says one is left.
      await page.goto(`/events/${drop.id}`);
      await page.waitForLoadState('networkidle');
      await standard.getByLabel(w.quantity).selectOption('2');
      await standard.getByRole('button', { name: w.hold }).click();
      await poll(() => page.getByRole('alert').textContent()).toContain(w.limit);
      await stack.shot(page, name('2-limit'));

      // Back to the hold from My tickets, and pay; the payment-confirmed job is held still by a row lock, as on a busy node.
      await page.goto('/tickets');
      await page.getByRole('link', { name: w.continue }).click();
      await page.waitForURL(`**/holds/${holdId}`);
      await page.getByRole('button', { name: w.pay }).click();
      await page.waitForURL('**/pay/simulated/**');
      const orderId = (await db.query<{ id: string }>('SELECT id FROM orders WHERE hold_id = $1', [holdId])).rows[0]!.id;
      await db.query('BEGIN');
      try {
        await db.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
        await page.getByRole('button', { name: w.pay }).click();
        await page.waitForURL(`**/orders/${orderId}`);
        await poll(() => page.locator('[data-outcome]').textContent()).toContain(w.issuing);
        expect(await page.getByRole('link', { name: w.payNow }).count()).toBe(0);
        expect(await page.locator('main').textContent()).not.toContain(w.waiting);
        expect(await page.locator('.summary .status').textContent()).toBe(w.paidBadge);
        await stack.shot(page, name('3-issuing'));
      } finally {
        await db.query('COMMIT');
      }

      // The page looks again by itself until the tickets are there, then shows the receipt.
      await poll(() => page.locator('img.qr').count(), { timeout: 45_000 }).toBe(3);
      const receipt = page.getByTestId('receipt');
      const text = (await receipt.textContent())!.replace(/[\u00a0\u202f]/g, ' ');
      for (const part of w.receipt) expect(text).toContain(part);
      expect(text).toMatch(/135[.,]000\s?(TND|DT)|TND\s?135[.,]000/);
      expect(text).toContain(orderId.replaceAll('-', '').slice(0, 8).toUpperCase());
      await receipt.scrollIntoViewIfNeeded();
      await stack.shot(page, name('4-receipt'));

      // The .ics from the order page, with the browser's session.
      const href = await receipt.getByRole('link', { name: w.calendar }).getAttribute('href');
      expect(href).toBe(`/api/orders/${orderId}/calendar`);
      const ics = await page.request.get(href!);
      expect(ics.status()).toBe(200);
      expect(ics.headers()['content-type']).toBe('text/calendar; charset=utf-8');
      expect(ics.headers()['content-disposition']).toContain('.ics');
      const file = await ics.text();
      expect(file).toContain('\r\nDTSTART:');
      expect(file.replace(/\r\n /g, '')).toContain('LOCATION:Centre culturel international\\, Hammamet\\, 1 avenue de la Paix\\, Hammamet');

      // The same receipt in Arabic, right to left (on the phone run).
      if (v.lang === 'en') {
        await page.getByRole('button', { name: 'العربية' }).click();
        await poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
        await poll(() => receipt.getByRole('heading').textContent()).toBe('الإيصال');
        expect(await receipt.textContent()).toContain('المجموع');
        await receipt.scrollIntoViewIfNeeded();
        await stack.shot(page, name('4-receipt-arabic'));
        await page.getByRole('button', { name: 'English' }).click();
        await poll(() => page.locator('html').getAttribute('dir')).toBe('ltr');
      }

      // No longer pending once paid.
      await page.goto('/tickets');
      await poll(() => page.locator('img.qr').count()).toBe(3);
      expect(await page.getByTestId('pending-holds').count()).toBe(0);

      // The confirmation email: its receipt, and its calendar link opens without a session.
      const mail = await poll(async () => {
        const { emails } = await call<{ emails: { template: string; text: string; html: string }[] }>(stack.api, 'GET', `/api/dev/mail?to=${encodeURIComponent(buyer.email)}`);
        return emails.find((e) => e.template === 'order_confirmation') ?? null;
      }, { timeout: 30_000 }).not.toBeNull().then(async () => {
        const { emails } = await call<{ emails: { template: string; text: string; html: string }[] }>(stack.api, 'GET', `/api/dev/mail?to=${encodeURIComponent(buyer.email)}`);
        return emails.find((e) => e.template === 'order_confirmation')!;
      });
      const link = /(http:\/\/127\.0\.0\.1:\d+\/api\/orders\/[0-9a-f-]+\/calendar\?token=[\w-]+)/.exec(mail.text)?.[1];
      expect(link, mail.text).toBeDefined();
      const anonymous = await fetch(link!);
      expect(anonymous.status).toBe(200);
      expect(await anonymous.text()).toContain('BEGIN:VEVENT');
      const mailPage = await stack.newPage({ viewport: v.viewport, locale: v.locale });
      await mailPage.setContent(mail.html);
      await stack.shot(mailPage, name('5-email'));
    }, journeyMs);
  }
});
