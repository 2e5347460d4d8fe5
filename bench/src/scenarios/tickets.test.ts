import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { isNotAvailable } from './needs.ts';
import { paidOrdersTicketed, tickets } from './tickets.ts';

/**
 * `tickets` end to end in a tiny configuration: a real node on this file's
 * database, a sell-out of 20 tickets (10 orders) paid at once, drained through
 * payment-confirmed → tickets-issue → email-send. Then a deliberately broken
 * pipeline (an order paid whose tickets went missing) is caught by the
 * checker. No timing is asserted.
 */

const database = useScenarioDatabase();

describe('tickets scenario', () => {
  it('issues and mails every ticket of a small sell-out; a paid order without its tickets is caught', async () => {
    const t = database.current;
    const { options } = parseCommandLine(['tickets', '--quick', '--connections', '4', '--capacity', '20'], {});
    const report = await tickets.run({ ...options, databaseUrl: t.url });
    expect(report.scenario).toBe('tickets');
    if (isNotAvailable(report)) {
      expect(report.figures.status).toMatch(/needs /);
      return;
    }
    expect(report.results.map((r) => r.name)).toEqual(['pay', 'tickets-issue', 'email-send']);
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(report.figures.tickets).toBe(20);

    const eventId = String(report.figures.eventId);
    const { rows } = await t.db.query<{ id: string }>(`SELECT id::text AS id FROM orders WHERE event_id = $1 ORDER BY id`, [eventId]);
    const ids = rows.map((r) => r.id);
    expect((await paidOrdersTicketed(t.db, ids)).ok).toBe(true);
    // The broken pipeline: one paid order's tickets went missing.
    await t.db.query(`UPDATE tickets SET order_id = NULL WHERE order_id = $1`, [ids[0]]);
    const verdict = await paidOrdersTicketed(t.db, ids);
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toMatch(/^1 of 10 orders/);
  }, 180_000);
});
