import { assert } from '../assert.ts';
import { icsLineOctetsMax } from '../constants.ts';

/**
 * A one-event iCalendar file (RFC 5545), written by hand: the `ics` npm
 * package writes times as floating or UTC only and folds by characters, not
 * octets, so it saves little over these few lines. What the RFC asks and
 * this writer does:
 *
 * - CRLF after every content line, the last one included (§3.1);
 * - lines longer than 75 octets folded: CRLF and one space, never inside a
 *   UTF-8 sequence (§3.1);
 * - TEXT values escaped: backslash, semicolon, comma, and a line break as
 *   `\n` (§3.3.11); control characters other than line breaks dropped;
 * - times in UTC (`Z` form, §3.3.5), so no VTIMEZONE is needed and every
 *   calendar shows the instant in its own zone;
 * - UID and DTSTAMP in the VEVENT (§3.6.1).
 */
export type CalendarEvent = {
  /** Globally unique and stable: the same order's file downloaded again updates the entry instead of adding one. */
  uid: string;
  /** When the file was made (DTSTAMP). */
  stamp: Date;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
  url?: string;
};

export function escapeText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is dropped
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

/** `20261207T193000Z`: a UTC date-time, to the second. */
export function utcDateTime(date: Date): string {
  assert(!Number.isNaN(date.getTime()), 'calendar time must be a valid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** One content line folded at 75 octets: each continuation begins with a space, which counts in its 75. */
export function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= icsLineOctetsMax) return line;
  const parts: string[] = [];
  let start = 0;
  let room = icsLineOctetsMax;
  while (start < bytes.length) {
    let end = Math.min(start + room, bytes.length);
    // Back off to a character boundary: a continuation byte is 10xxxxxx.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    room = icsLineOctetsMax - 1;
  }
  return parts.join('\r\n ');
}

/** The whole file, CRLF line ends. */
export function calendarFile(event: CalendarEvent): string {
  assert(event.end.getTime() >= event.start.getTime(), 'a calendar event cannot end before it starts');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Tickr//Tickr tickets//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${utcDateTime(event.stamp)}`,
    `DTSTART:${utcDateTime(event.start)}`,
    `DTEND:${utcDateTime(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
  ];
  if (event.location !== '') lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.description !== '') lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  // A URI value is not TEXT: it is written as it is (RFC 5545 §3.3.13), so it must hold no line break.
  if (event.url !== undefined) {
    assert(!/[\r\n]/.test(event.url), 'calendar URL must be one line');
    lines.push(`URL:${event.url}`);
  }
  lines.push('STATUS:CONFIRMED', 'TRANSP:OPAQUE', 'END:VEVENT', 'END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
