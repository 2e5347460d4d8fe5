import { describe, expect, it } from 'vitest';
import { eventBody, toMinor, utcInput } from './form.ts';

describe('organizer form values', () => {
  it('reads amounts in the currency\'s own units into minor units', () => {
    expect(toMinor('45', 'TND')).toBe(45_000);
    expect(toMinor('45,5', 'TND')).toBe(45_500);
    expect(toMinor('12.99', 'EUR')).toBe(1_299);
    expect(toMinor('12.999', 'EUR')).toBeNull();
    expect(toMinor('abc', 'EUR')).toBeNull();
    expect(toMinor('-3', 'EUR')).toBeNull();
  });

  it('reads a datetime-local value as UTC', () => {
    expect(utcInput('2027-07-10T20:00')).toBe('2027-07-10T20:00:00.000Z');
    expect(utcInput('')).toBeNull();
    expect(utcInput('tomorrow')).toBeUndefined();
  });

  it('builds the event body and skips blank ticket type rows', () => {
    const form = new FormData();
    form.set('name', 'Nuit du Jazz');
    form.set('startsAt', '2027-07-10T20:00');
    form.set('currency', 'TND');
    for (const [n, p, c] of [['Standard', '45', '300'], ['', '', '']]) {
      form.append('typeName', n!);
      form.append('typePrice', p!);
      form.append('typeCapacity', c!);
    }
    const made = eventBody(form);
    expect(made.ok && made.body.ticketTypes).toEqual([{ name: 'Standard', price: 45_000, capacity: 300 }]);
    form.set('startsAt', '');
    expect(eventBody(form)).toEqual({ ok: false, problem: 'create.problemStartsAt' });
  });
});
