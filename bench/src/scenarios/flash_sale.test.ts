import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { flashSale, soldWithinCapacity } from './flash_sale.ts';
import { isNotAvailable } from './needs.ts';

/**
 * `flash-sale` end to end in a tiny configuration: a real node on this file's
 * database, 20 participants wanting 2 tickets each of 20, through the
 * WebSocket queue, admission, hold, checkout, pay and tickets. Then a
 * deliberately broken seller (a ticket issued past the capacity) is caught
 * by the checker. No timing is asserted.
 */

const database = useScenarioDatabase();

describe('flash-sale scenario', () => {
  it('sells out through every stage, and the checks hold; an oversold type is caught', async () => {
    const t = database.current;
    const { options } = parseCommandLine(['flash-sale', '--quick', '--connections', '8', '--capacity', '20'], {});
    const report = await flashSale.run({ ...options, databaseUrl: t.url });
    expect(report.scenario).toBe('flash-sale');
    if (isNotAvailable(report)) {
      expect(report.figures.status).toMatch(/needs /);
      return;
    }
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(report.results.map((r) => r.name)).toContain('hold');
    expect(report.figures.failed).toBe(0);
    // Demand is twice the stock: half get tickets (or hold, without payments), half are told it sold out.
    expect(Number(report.figures['participants with tickets']) + Number(report.figures['participants holding (no payment stage)'])).toBe(10);

    const eventId = String(report.figures.eventId);
    expect((await soldWithinCapacity(t.db, eventId)).every((c) => c.ok)).toBe(true);
    // The broken seller: one ticket more than the type has.
    await t.db.query(
      `INSERT INTO tickets (id, event_id, type_id, hold_id, buyer_id, price, currency)
       SELECT gen_random_uuid(), event_id, type_id, 'broken-seller', buyer_id, price, currency FROM tickets WHERE event_id = $1 LIMIT 1`,
      [eventId],
    );
    expect((await soldWithinCapacity(t.db, eventId)).every((c) => c.ok)).toBe(false);
  }, 180_000);
});
