/**
 * Wall-clock times in an event's IANA zone (#15). An organizer types local
 * times ("2027-03-28T02:30" in Europe/Paris); the edge takes UTC instants.
 * Intl knows every zone's rules, so no zone data of our own.
 *
 * Daylight saving: a wall time the clocks skip (spring forward) is read as
 * the same distance after the jump, 02:30 → 03:30, as Temporal's
 * 'compatible' does; one that happens twice (fall back) is read as the
 * earlier instant. Minutes are the finest unit the forms use.
 */

const minuteMs = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows `zone` (an IANA name such as Africa/Tunis, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time at `utcMs` in `zone`, as milliseconds of a UTC clock showing it. */
function wallMs(utcMs: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The zone's offset from UTC at `utcMs`, in ms (Tunis: +3_600_000). */
export function offsetMs(utcMs: number, zone: string): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  return wallMs(whole, zone) - whole;
}

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A `datetime-local` value ("2027-07-10T20:00") in `zone` → the UTC instant (ISO), or null when it is not one. */
export function localToUtc(local: string, zone: string): string | null {
  const m = localPattern.exec(local.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2027-02-30 over to March: such a date is not one.
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  // Offsets change at most a few times a year and never by more than a day: the ones a day either side are the candidates.
  const before = offsetMs(wall - 86_400_000, zone);
  const after = offsetMs(wall + 86_400_000, zone);
  const candidates = [...new Set([before, after])].map((o) => wall - o).filter((u) => wallMs(u, zone) === wall).sort((a, b) => a - b);
  // Several: the wall time happens twice, take the earlier. None: the clocks skipped it, move on by the gap.
  const utc = candidates[0] ?? wall - before;
  return new Date(utc).toISOString();
}

/** A UTC instant (ISO) as a `datetime-local` value in `zone` ("2027-07-10T21:00"); '' for null. */
export function utcToLocal(iso: string | null, zone: string): string {
  if (iso === null || iso === '') return '';
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  return new Date(wallMs(Math.floor(at / minuteMs) * minuteMs, zone)).toISOString().slice(0, 16);
}
