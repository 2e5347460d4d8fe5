/**
 * CSV as RFC 4180 writes it, made safe to open in a spreadsheet:
 *
 * - a field with a comma, a double quote, CR or LF is quoted, its quotes
 *   doubled; lines end with CRLF;
 * - a text field that a spreadsheet would run as a formula (it starts with
 *   `=`, `+`, `-`, `@`, a tab or CR: OWASP's list) gets a leading `'`, so a
 *   buyer named `=HYPERLINK(...)` is shown, never evaluated;
 * - a file starts with the UTF-8 byte order mark, without which Excel reads
 *   UTF-8 as the system's code page (names in Arabic or with accents break).
 */

/** Prepended once, at the start of a file. */
export const csvBom = '\uFEFF';

const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

/** One field. null is an empty field; numbers are written as they are (a negative amount is not a formula). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = formulaStart.test(value) ? `'${value}` : value;
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF included. */
export function csvLine(values: readonly (string | number | null)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
