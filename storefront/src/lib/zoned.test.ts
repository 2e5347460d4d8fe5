import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localToUtc, offsetMs, utcToLocal } from './zoned.ts';

const zones = ['Africa/Tunis', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'UTC'];
const from = Date.UTC(2020, 0, 1);
const to = Date.UTC(2035, 0, 1);
const minute = 60_000;

describe('local wall time ↔ UTC in an event zone', () => {
  it('reads Paris summer and winter times with their offsets', () => {
    expect(localToUtc('2027-07-10T20:00', 'Europe/Paris')).toBe('2027-07-10T18:00:00.000Z');
    expect(localToUtc('2027-01-10T20:00', 'Europe/Paris')).toBe('2027-01-10T19:00:00.000Z');
    expect(localToUtc('2027-07-10T20:00', 'Africa/Tunis')).toBe('2027-07-10T19:00:00.000Z');
    expect(utcToLocal('2027-07-10T18:00:00.000Z', 'Europe/Paris')).toBe('2027-07-10T20:00');
  });

  it('moves a skipped time on by the gap and takes the earlier of a repeated one', () => {
    // 2027-03-28: Paris jumps from 02:00 to 03:00.
    expect(localToUtc('2027-03-28T02:30', 'Europe/Paris')).toBe('2027-03-28T01:30:00.000Z');
    expect(utcToLocal('2027-03-28T01:30:00.000Z', 'Europe/Paris')).toBe('2027-03-28T03:30');
    // 2027-10-31: 02:30 happens at 00:30Z (summer time) and 01:30Z (winter time).
    expect(localToUtc('2027-10-31T02:30', 'Europe/Paris')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('refuses what is not a date', () => {
    expect(localToUtc('2027-02-30T10:00', 'UTC')).toBeNull();
    expect(localToUtc('tomorrow', 'UTC')).toBeNull();
    expect(localToUtc('2027-01-01T24:00', 'UTC')).toBeNull();
  });

  it('round-trips any instant UTC → local → UTC, except the later of a repeated hour, which reads as the earlier', () => {
    fc.assert(fc.property(fc.constantFrom(...zones), fc.integer({ min: from / minute, max: to / minute }), (zone, minutes) => {
      const utc = minutes * minute;
      const local = utcToLocal(new Date(utc).toISOString(), zone);
      const back = Date.parse(localToUtc(local, zone)!);
      if (back !== utc) {
        // Only a fall-back hour: the same wall time a DST step earlier.
        expect(back).toBeLessThan(utc);
        expect(utcToLocal(new Date(back).toISOString(), zone)).toBe(local);
        expect(offsetMs(back, zone)).toBeGreaterThan(offsetMs(utc, zone));
      }
    }), { numRuns: 2_000 });
  });

  it('round-trips any wall time local → UTC → local, except one the clocks skip, which moves on by the gap', () => {
    fc.assert(fc.property(fc.constantFrom(...zones), fc.integer({ min: from / minute, max: to / minute }), (zone, minutes) => {
      const local = new Date(minutes * minute).toISOString().slice(0, 16);
      const utc = localToUtc(local, zone)!;
      const again = utcToLocal(utc, zone);
      if (again !== local) {
        const gap = Date.parse(`${again}Z`) - Date.parse(`${local}Z`);
        expect(gap).toBeGreaterThan(0);
        expect(gap).toBe(offsetMs(Date.parse(utc), zone) - offsetMs(Date.parse(utc) - 86_400_000, zone));
      }
    }), { numRuns: 2_000 });
  });

  it('crosses the DST days of each zone', () => {
    // Every minute-aligned instant of the Paris and New York switch days in 2027 round-trips to the same wall time.
    for (const [zone, day] of [['Europe/Paris', '2027-03-28'], ['Europe/Paris', '2027-10-31'], ['America/New_York', '2027-03-14'], ['America/New_York', '2027-11-07']] as const) {
      const start = Date.parse(`${day}T00:00:00Z`) - 12 * 3_600_000;
      for (let u = start; u < start + 36 * 3_600_000; u += 15 * minute) {
        const local = utcToLocal(new Date(u).toISOString(), zone);
        expect(utcToLocal(localToUtc(local, zone), zone)).toBe(local);
      }
    }
  });
});
