import { describe, expect, it } from 'vitest';
import { jsonLine, buildReport } from '../report.ts';
import { parseCommandLine } from '../options.ts';
import { useScenarioDatabase } from '../testing/database.ts';
import { queue } from './queue.ts';

/**
 * `queue --nodes 2 --waiters 300` end to end: a private redis-server, two
 * nodes in cluster mode on this file's database, the waiters over both,
 * watched by a raw-socket client process; then the uWS floor (bare uWS
 * processes) with as many waiters. Only what does not depend on the
 * machine's speed is asserted: every waiter connected and was counted by its
 * node, heard every head move its node published and the sell-out; the
 * figures exist. The timing targets are the bench's to report.
 */

const database = useScenarioDatabase();

describe('queue scenario over a cluster', () => {
  it('spreads 300 waiters over 2 nodes; every waiter hears the moves and the sell-out', async () => {
    const { options } = parseCommandLine(['queue', '--quick', '--nodes', '2', '--waiters', '300', '--duration', '3'], {});
    const report = await queue.run({ ...options, databaseUrl: database.current.url });
    const check = (name: string) => {
      const found = report.checks.find((c) => c.name === name);
      expect(found, `check "${name}"`).toBeDefined();
      return found!;
    };
    for (const name of ['every waiter connected', 'the nodes count every waiter', 'the sell-out reaches every waiter', 'every waiter heard every move its node published',
      'floor: every waiter connected', 'floor: every waiter heard every move and the sell-out']) {
      const c = check(name);
      expect(c.ok, `${name}: ${c.detail}`).toBe(true);
    }
    expect(report.figures.waiters).toBe(300);
    expect(report.figures.nodes).toBe(2);
    expect(report.figures.headMoves).toBeGreaterThan(0);
    // The uWS floor ran with the same waiters: its figures are there for the ratios.
    expect(report.figures.floorHeadMoves).toBeGreaterThan(0);
    expect(report.figures.floorLastWaiterDelayP99Ms).toBeTypeOf('number');
    expect(report.figures.floorSelloutAllMs).toBeTypeOf('number');
    // Both nodes published pushed ticks: the owner's from its worker, the other's through Redis pub/sub.
    const pushed = String(report.figures.nodeTicksPushedPolled).split(' / ').map((s) => Number(s.split('/')[0]));
    expect(pushed).toHaveLength(2);
    for (const n of pushed) expect(n).toBeGreaterThan(0);
    const line = JSON.parse(jsonLine(buildReport(report))) as Record<string, unknown>;
    expect(Object.keys(line).slice(0, 5)).toEqual(['waiters', 'nodes', 'deliveryP99Ms', 'selloutAllMs', 'rssBytesPerWaiter']);
    expect(line.waiters).toBe(300);
    expect(line.deliveryP99Ms).toBeTypeOf('number');
    expect(line.selloutAllMs).toBeTypeOf('number');
  }, 300_000);
});
