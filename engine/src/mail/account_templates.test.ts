import { describe, expect, it } from 'vitest';
import { locales, renderEmail } from './templates.ts';

describe('account emails', () => {
  it('render in every language with the link in text and HTML, and escape what the organizer typed', () => {
    for (const locale of locales) {
      const verify = renderEmail('verify_email', locale, { name: 'Ada', link: 'https://shop.test/verify-email?token=abc' });
      expect(verify.text).toContain('https://shop.test/verify-email?token=abc');
      expect(verify.html).toContain('href="https://shop.test/verify-email?token=abc"');
      const invite = renderEmail('staff_invite', locale, { eventName: '<b>Night</b> & Day', link: 'https://shop.test/set-password?token=xyz' });
      expect(invite.subject).toContain('<b>Night</b> & Day');
      expect(invite.html).toContain('&lt;b&gt;Night&lt;/b&gt; &amp; Day');
      expect(invite.html).not.toContain('<b>Night</b>');
      expect(invite.text).toContain('https://shop.test/set-password?token=xyz');
      const added = renderEmail('staff_added', locale, { name: 'Salma', eventName: 'Night Market', scannerUrl: 'https://shop.test/scan' });
      expect(added.subject).toContain('Night Market');
      expect(added.text).toContain('https://shop.test/scan');
    }
    expect(renderEmail('staff_invite', 'ar', { eventName: 'X', link: 'https://l' }).html).toContain('dir="rtl"');
  });
});
