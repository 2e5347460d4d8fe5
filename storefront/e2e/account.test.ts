import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createDrop, desktop, phone, poll, signInPage, signUp, startStack, type Stack } from './harness.ts';

/**
 * Accounts in a browser (#15): forgot password → the emailed link → a new
 * password, which ends the other sessions (the other browser lands on the
 * sign-in form with a sentence); and a drop that needs a verified email,
 * whose queue page sends the buyer to verify it. In English and French (and
 * the reset in Arabic), at 360 and 1280 px, with screenshots.
 */

let stack: Stack;

/** The token of the latest email of `template` to `to`, from the dev outbox. */
async function linkIn(to: string, template: string): Promise<string> {
  let found: string | undefined;
  await poll(async () => {
    const { emails } = await call<{ emails: { template: string; text: string }[] }>(stack.api, 'GET', `/api/dev/mail?to=${encodeURIComponent(to)}`);
    found = emails.find((e) => e.template === template)?.text.match(/[?&]token=([A-Za-z0-9_%-]+)/)?.[1];
    return found !== undefined;
  }).toBe(true);
  return decodeURIComponent(found!);
}

beforeAll(async () => {
  stack = await startStack();
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('password reset in a browser', () => {
  for (const [lang, viewport, size, words] of [
    ['en', phone, '360', { forgot: 'Forgot your password?', send: 'Send me a link', save: 'Save my new password', sent: 'If an account has this email', done: 'Your password is changed', ended: 'Your session ended' }],
    ['ar', desktop, '1280', { forgot: 'نسيت كلمة المرور؟', send: 'أرسل لي رابطًا', save: 'احفظ كلمة المرور الجديدة', sent: 'إن كان لهذا البريد حساب', done: 'تغيّرت كلمة مرورك', ended: 'انتهت جلستك' }],
  ] as const) {
    it(`sends a link, sets a new password and ends the other session (${lang}, ${size} px)`, async () => {
      const who = await signUp(stack.api, 'participant', lang === 'ar' ? 'أمل' : 'Pat Reset');
      // Another browser, signed in before the reset: its session must end.
      const other = await stack.newPage({ viewport, locale: lang });
      await signInPage(other, who, '/account');

      const page = await stack.newPage({ viewport, locale: lang });
      await page.goto('/signin', { waitUntil: 'networkidle' });
      await page.getByRole('link', { name: words.forgot }).click();
      await page.waitForURL('**/forgot-password');
      await page.locator('input[name=email]').fill(who.email);
      await page.getByRole('button', { name: words.send }).click();
      await expect.poll(() => page.getByTestId('reset-sent').textContent()).toContain(words.sent);
      await stack.shot(page, `account-reset-sent-${lang}-${size}`);

      const token = await linkIn(who.email, 'reset_password');
      await page.goto(`/reset-password?token=${encodeURIComponent(token)}`, { waitUntil: 'networkidle' });
      await stack.shot(page, `account-reset-form-${lang}-${size}`);
      // A weak password is refused and the link still works.
      await page.locator('input[name=password]').fill('password123');
      await page.getByRole('button', { name: words.save }).click();
      await expect.poll(() => page.getByRole('alert').count()).toBe(1);
      await page.locator('input[name=password]').fill('a brand new passphrase');
      await page.getByRole('button', { name: words.save }).click();
      await page.waitForURL('**/account?reset=1');
      expect(await page.getByTestId('reset-done').textContent()).toContain(words.done);
      await stack.shot(page, `account-reset-done-${lang}-${size}`);

      // The other browser: its next page is the sign-in form, saying why, never a 401 under "signed in".
      await other.goto('/account');
      await other.waitForURL((url) => url.pathname === '/signin');
      expect(await other.getByTestId('session-ended').textContent()).toContain(words.ended);
      expect(await other.locator('input[name=password]').count()).toBe(1);
      await stack.shot(other, `account-session-ended-${lang}-${size}`);
      await signInPage(other, { email: who.email, password: 'a brand new passphrase' }, '/account');
      expect(await other.getByTestId('account-email').textContent()).toBe(who.email);
    }, 120_000);
  }
});

describe('a drop that needs a verified email', () => {
  for (const [lang, viewport, size, words] of [
    ['en', desktop, '1280', { verify: 'Verify my email', send: 'Send me a link', confirm: 'Confirm my email' }],
    ['fr', phone, '360', { verify: 'Vérifier mon e-mail', send: 'M’envoyer un lien', confirm: 'Confirmer mon e-mail' }],
  ] as const) {
    it(`sends the buyer from the queue page to verify, then lets them join (${lang}, ${size} px)`, async () => {
      const organizer = await signUp(stack.api, 'organizer');
      const drop = await createDrop(stack.api, organizer, { name: `Drop vérifié ${lang}`, saleStartsAt: new Date(Date.now() + 86_400_000).toISOString() });
      await call(stack.api, 'PATCH', `/api/events/${drop.id}/queue/settings`, { queueEnabled: true, holdRequires: 'verified_email' }, organizer.auth);
      const buyer = await signUp(stack.api, 'participant', 'Nour Unverified');
      const page = await stack.newPage({ viewport, locale: lang });
      await signInPage(page, buyer, `/events/${drop.id}/queue`);
      const action = page.getByTestId('verify-email-action');
      expect(await action.textContent()).toContain(words.verify);
      await stack.shot(page, `account-queue-verify-${lang}-${size}`);

      await action.click();
      await page.waitForURL('**/verify-email**');
      await page.waitForLoadState('networkidle');
      await page.getByRole('button', { name: words.send }).click();
      const token = await linkIn(buyer.email, 'verify_email');
      await page.goto(`/verify-email?token=${encodeURIComponent(token)}`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: words.confirm }).click();
      await expect.poll(() => page.getByRole('status').count()).toBe(1);
      await stack.shot(page, `account-verified-${lang}-${size}`);

      await page.goto(`/events/${drop.id}/queue`);
      await poll(() => page.getByTestId('verify-email-action').count()).toBe(0);
      await poll(() => page.getByTestId('sale-countdown').count()).toBe(1);
      await stack.shot(page, `account-queue-joined-${lang}-${size}`);

      await page.goto('/account', { waitUntil: 'networkidle' });
      expect(await page.getByTestId('email-verified').count()).toBe(1);
      await stack.shot(page, `account-page-${lang}-${size}`);
    }, 120_000);
  }
});
