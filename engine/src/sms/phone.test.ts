import { describe, expect, it } from 'vitest';
import { normalisePhone } from './phone.ts';

describe('normalisePhone', () => {
  it('reads Tunisian national, international and 00-prefixed input as the same E.164 number', () => {
    for (const input of ['20 123 456', '20123456', '+216 20 123 456', '00216 20 123 456', '+216-20-123-456', ' 98.123.456 ']) {
      expect(normalisePhone(input).ok, input).toBe(true);
    }
    expect(normalisePhone('20 123 456')).toEqual({ ok: true, e164: '+21620123456' });
    expect(normalisePhone('00216 20 123 456')).toEqual({ ok: true, e164: '+21620123456' });
  });

  it('reads a national number in the given region, and an international one whatever the region', () => {
    expect(normalisePhone('06 12 34 56 78', 'FR')).toEqual({ ok: true, e164: '+33612345678' });
    expect(normalisePhone('+33 6 12 34 56 78')).toEqual({ ok: true, e164: '+33612345678' });
  });

  it('says what to fix for a number that cannot receive a text', () => {
    const refused = (input: string) => {
      const r = normalisePhone(input);
      if (r.ok) throw new Error(`${input} was accepted`);
      return r.message;
    };
    expect(refused('')).toMatch(/must not be empty/);
    expect(refused('20 12')).toMatch(/too short/);
    expect(refused('20 123 456 789')).toMatch(/too long|not a valid/);
    expect(refused('call me')).toMatch(/only digits/);
    expect(refused('+999 1234567')).toMatch(/unknown country code/);
    // A Tunisian landline (71 = Tunis): valid, but no SMS reaches it.
    expect(refused('71 123 456')).toMatch(/not a mobile number/);
  });
});
