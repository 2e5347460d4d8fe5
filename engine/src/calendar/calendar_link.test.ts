import { describe, expect, it } from 'vitest';
import { calendarToken, calendarUrl, isCalendarToken } from './calendar_link.ts';

const secret = Buffer.from('a'.repeat(48));
const order = '6f1c0a2b-0000-4000-8000-000000000000';

describe('calendar link', () => {
  it('accepts its own token and refuses it for another order or under another secret', () => {
    const token = calendarToken(secret, order);
    expect(isCalendarToken(secret, order, token)).toBe(true);
    expect(isCalendarToken(secret, order.toUpperCase(), token)).toBe(true);
    expect(isCalendarToken(secret, '6f1c0a2b-0000-4000-8000-000000000001', token)).toBe(false);
    expect(isCalendarToken(Buffer.from('b'.repeat(48)), order, token)).toBe(false);
  });

  it('refuses malformed tokens without throwing', () => {
    const token = calendarToken(secret, order);
    for (const bad of ['', token.slice(1), `${token}A`, 'Ł'.repeat(22), token.toUpperCase()]) expect(isCalendarToken(secret, order, bad)).toBe(false);
  });

  it('puts the token in the query of the storefront path', () => {
    expect(calendarUrl('https://t.example', order, 'ab-_')).toBe(`https://t.example/api/orders/${order}/calendar?token=ab-_`);
  });
});
