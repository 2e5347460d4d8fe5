import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarFile, escapeText, fold, type CalendarEvent } from './ics.ts';
import { locationOf, orderCalendarFile } from './order_calendar.ts';

/**
 * A strict reader for what the writer promises (RFC 5545 §3.1): CRLF line
 * ends only, no physical line over 75 octets, folding undone by dropping
 * CRLF + one space, then NAME[;params]:VALUE with TEXT unescaped.
 */
function parse(file: string): { props: [string, string][]; physical: string[] } {
  expect(file.endsWith('\r\n')).toBe(true);
  expect(file.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const physical = file.slice(0, -2).split('\r\n');
  for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  const logical = file.slice(0, -2).replace(/\r\n /g, '').split('\r\n');
  const props = logical.map((line): [string, string] => {
    const colon = line.indexOf(':');
    expect(colon).toBeGreaterThan(0);
    return [line.slice(0, colon), line.slice(colon + 1)];
  });
  return { props, physical };
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

const base: CalendarEvent = {
  uid: 'order-6f1c@tickr.example', stamp: new Date('2026-12-06T23:00:00.000Z'),
  start: new Date('2027-03-14T19:30:00.000Z'), end: new Date('2027-03-14T22:00:00.000Z'),
  summary: 'Jazz à Carthage', location: 'Théâtre, 1 rue de Rome, Tunis', description: 'Order 6F1C\nhttps://tickr.example/orders/6f1c', url: 'https://tickr.example/orders/6f1c',
};

describe('calendarFile', () => {
  it('writes one VEVENT with UID, DTSTAMP and UTC start and end, in order', () => {
    const { props } = parse(calendarFile(base));
    const names = props.map(([n]) => n);
    expect(names.slice(0, 6)).toEqual(['BEGIN', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'BEGIN']);
    expect(names.at(-1)).toBe('END');
    const get = (n: string) => props.find(([k]) => k === n)?.[1];
    expect(get('VERSION')).toBe('2.0');
    expect(get('UID')).toBe('order-6f1c@tickr.example');
    expect(get('DTSTAMP')).toBe('20261206T230000Z');
    expect(get('DTSTART')).toBe('20270314T193000Z');
    expect(get('DTEND')).toBe('20270314T220000Z');
    expect(unescapeText(get('LOCATION')!)).toBe('Théâtre, 1 rue de Rome, Tunis');
    expect(get('LOCATION')).toBe('Théâtre\\, 1 rue de Rome\\, Tunis');
    expect(unescapeText(get('DESCRIPTION')!)).toBe(base.description);
    expect(props.filter(([n, v]) => n === 'BEGIN' && v === 'VEVENT')).toHaveLength(1);
  });

  it('escapes backslash, semicolon, comma and line breaks, and drops other control characters', () => {
    expect(escapeText('a\\b;c,d\r\ne\nf\rg\u0007h')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ngh');
  });

  it('folds long lines at 75 octets without splitting a UTF-8 character', () => {
    const summary = 'مهرجان قرطاج الدولي للموسيقى '.repeat(6);
    const file = calendarFile({ ...base, summary });
    const { props, physical } = parse(file);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    expect(file).not.toContain('\uFFFD');
    expect(unescapeText(props.find(([n]) => n === 'SUMMARY')![1])).toBe(summary);
  });

  it('leaves a line of exactly 75 octets unfolded and folds one of 76', () => {
    expect(fold('X'.repeat(75))).toBe('X'.repeat(75));
    expect(fold('X'.repeat(76))).toBe(`${'X'.repeat(75)}\r\n X`);
  });

  it('any summary and location come back as written (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), (summary, location) => {
      const { props } = parse(calendarFile({ ...base, summary, location }));
      const clean = (s: string) => s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
      expect(unescapeText(props.find(([n]) => n === 'SUMMARY')![1])).toBe(clean(summary));
      const loc = props.find(([n]) => n === 'LOCATION');
      if (location === '') expect(loc).toBeUndefined();
      else expect(unescapeText(loc![1])).toBe(clean(location));
    }), { numRuns: 100 });
  });

  it('refuses an event that ends before it starts', () => {
    expect(() => calendarFile({ ...base, end: new Date('2027-03-14T18:00:00.000Z') })).toThrow(/end before/);
  });
});

describe('orderCalendarFile', () => {
  const event = { name: 'Drop', venue: 'Le Colisée', address: '', startsAt: new Date('2027-01-01T20:00:00.000Z'), endsAt: null };

  it('lasts two hours when the event has no end, and names the order', () => {
    const { props } = parse(orderCalendarFile('https://tickr.example', { id: '6f1c0a2b-0000-4000-8000-000000000000', locale: 'fr' }, event, new Date('2026-12-01T00:00:00Z')));
    const get = (n: string) => props.find(([k]) => k === n)?.[1];
    expect(get('DTEND')).toBe('20270101T220000Z');
    expect(get('UID')).toBe('order-6f1c0a2b-0000-4000-8000-000000000000@tickr.example');
    expect(unescapeText(get('DESCRIPTION')!)).toContain('Commande Tickr 6F1C0A2B');
    expect(get('URL')).toBe('https://tickr.example/orders/6f1c0a2b-0000-4000-8000-000000000000');
  });

  it('joins venue and address for LOCATION, leaving out what is empty', () => {
    expect(locationOf({ venue: ' Le Colisée ', address: '' })).toBe('Le Colisée');
    expect(locationOf({ venue: '', address: '5 av. Bourguiba' })).toBe('5 av. Bourguiba');
    expect(locationOf({ venue: 'A', address: 'B' })).toBe('A, B');
  });
});
