import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { admittedOnce, checkin } from './checkin.ts';
import { isNotAvailable } from './needs.ts';

/**
 * `checkin` end to end in a tiny configuration: a real node on this file's
 * database, 300 signed tickets, two gates of 2 connections for 1 s. Then a
 * deliberately broken gate (one that admits a ticket already used, as a
 * check-in without its conditional UPDATE would) is caught by the checker.
 * No timing is asserted.
 */

const database = useScenarioDatabase();

describe('checkin scenario', () => {
  it('runs two gates end to end and admits no ticket twice; a broken gate is caught', async () => {
    const t = database.current;
    const { options } = parseCommandLine(['checkin', '--quick', '--duration', '1', '--connections', '4', '--capacity', '300'], {});
    const report = await checkin.run({ ...options, warmupS: 0, databaseUrl: t.url });
    expect(report.scenario).toBe('checkin');
    if (isNotAvailable(report)) {
      expect(report.figures.status).toMatch(/needs POST \/api\/checkin/);
      return;
    }
    expect(report.results.map((r) => r.name)).toEqual(['gate A', 'gate B', 'both gates']);
    expect(report.checks.length).toBeGreaterThanOrEqual(3);
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(report.figures['tickets admitted']).toBeGreaterThan(0);

    const event = { id: String(report.figures.eventId) };
    expect((await admittedOnce({ db: t.db, event })).every((c) => c.ok)).toBe(true);
    // The broken gate: it records a second admission of a ticket that is already used.
    await t.db.query(
      `INSERT INTO checkin_scans (event_id, ticket_id, list_id, gate, device, staff_id, scanned_at, offline, outcome)
       SELECT event_id, ticket_id, list_id, 'broken gate', 'broken', staff_id, now(), false, 'valid'
         FROM checkin_scans WHERE event_id = $1 AND outcome = 'valid' LIMIT 1`,
      [event.id],
    );
    const verdict = await admittedOnce({ db: t.db, event });
    expect(verdict.find((c) => c.name === 'no ticket admitted twice')?.ok).toBe(false);
  }, 120_000);
});
