import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { queue } from './queue.ts';

/**
 * `queue` end to end in a tiny configuration: a real node on this file's
 * database, 100 WebSocket waiters, a short joins load. Only what does not
 * depend on the machine's speed is asserted: the figures exist and the
 * sell-out reaches every waiter. The timing targets are the bench's to report.
 */

const database = useScenarioDatabase();

describe('queue scenario', () => {
  it('connects waiters, measures memory and delivery, and every waiter hears the sell-out', async () => {
    const previous = process.env.TICKR_BENCH_WAITERS;
    process.env.TICKR_BENCH_WAITERS = '100';
    try {
      const { options } = parseCommandLine(['queue', '--quick', '--duration', '2', '--connections', '10', '--capacity', '50'], {});
      const report = await queue.run({ ...options, warmupS: 0, databaseUrl: database.current.url });
      expect(report.scenario).toBe('queue');
      expect(report.figures.waiters).toBe(100);
      expect(report.figures.lastWaiterDelayP99Ms).toBeTypeOf('number');
      const soldOut = report.checks.find((c) => c.name === 'the sell-out reaches every connected waiter');
      expect(soldOut?.ok, soldOut?.detail).toBe(true);
      expect(report.results.length).toBeGreaterThan(0);
    } finally {
      if (previous === undefined) delete process.env.TICKR_BENCH_WAITERS;
      else process.env.TICKR_BENCH_WAITERS = previous;
    }
  }, 180_000);
});
