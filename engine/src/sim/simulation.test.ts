import { describe, expect, it } from 'vitest';
import type { EventConfig, JournalEntry, Outcome } from '../inventory/types.ts';
import { Checker, SimulationFailure } from './checks.ts';
import { simulate, type SimulateOptions } from './run.ts';
import { SimDatabase } from './sim_database.ts';
import { SimLeaseStore } from './sim_lease_store.ts';
import { correct, defaultFaults, noFaults, World, type Faults } from './world.ts';

/** Tuned so the sweep stays near 15 s of one idle core (about 100 virtual seconds per seed); `npm run simulate` runs further. */
const sweepSeeds = 400;
const sweepSteps = 20_000;

/** Runs seeds until one fails; returns the failure, or null if none of them did. */
async function firstFailure(options: Omit<SimulateOptions, 'seed'>, seeds: number): Promise<SimulationFailure | null> {
  for (let seed = 1; seed <= seeds; seed++) {
    try {
      await simulate({ ...options, seed });
    } catch (error) {
      if (error instanceof SimulationFailure) return error;
      throw error;
    }
  }
  return null;
}

describe('SimLeaseStore', () => {
  it('refuses a renewal that arrives after the lease lapsed, even from its owner', () => {
    let now = 0;
    const store = new SimLeaseStore(() => now);
    expect(store.acquireNow(0, 'n1', 5_000)).toBe(true);
    expect(store.acquireNow(0, 'n2', 5_000)).toBe(false);
    now = 4_999;
    expect(store.renewNow(0, 'n1', 5_000)).toBe(true);
    now = 9_999;
    expect(store.renewNow(0, 'n1', 5_000)).toBe(false);
    expect(store.acquireNow(0, 'n2', 5_000)).toBe(true);
    store.releaseNow(0, 'n1');
    expect(store.holderNow(0)).toBe('n2');
    store.flushAll();
    expect(store.holderNow(0)).toBe(null);
  });
});

describe('SimDatabase', () => {
  it('refuses a flush whose epoch was raised meanwhile, and commits nothing of it', () => {
    const db = new SimDatabase(2, new World(1, defaultFaults, correct, null));
    const epoch = db.raise(0);
    const row = { shard: 0, entry: { eventId: 'e1', seq: 1, body: { kind: 'capacity_changed' as const, typeId: 't1', capacity: 3 } } };
    expect(db.raise(0)).toBe(epoch + 1);
    expect(db.flush({ node: 'n1', epochs: new Map([[0, epoch]]), rows: [row] })).toBe('fenced');
    expect(db.journal('e1')).toEqual([]);
    expect(db.flush({ node: 'n2', epochs: new Map([[0, epoch + 1]]), rows: [row] })).toBe('committed');
    expect(db.journal('e1')).toHaveLength(1);
  });
});

describe('Checker with flushes in flight', () => {
  const event: EventConfig = {
    eventId: 'e1', shard: 0, currency: 'TND', perBuyerLimit: 10, holdTtlMs: 5_000, saleStartsAt: null, saleEndsAt: null,
    types: [{ typeId: 't1', price: 1_000, capacity: 10 }],
  };
  const placed = (seq: number): { shard: number; entry: JournalEntry } => ({
    shard: 0,
    entry: { eventId: 'e1', seq, body: { kind: 'hold_placed', hold: { holdId: `h${seq}`, typeId: 't1', qty: 1, buyer: 'b', price: 1_000, placedAt: 0, expiresAt: 5_000, key: null } } },
  });
  const held = (seq: number): Outcome => ({
    ok: true, kind: 'held',
    hold: { holdId: `h${seq}`, eventId: 'e1', typeId: 't1', qty: 1, buyer: 'b', price: 1_000, currency: 'TND', status: 'held', expiresAt: 5_000 },
  });
  function setup() {
    const world = new World(1, defaultFaults, correct, null);
    const db = new SimDatabase(1, world);
    const epoch = db.raise(0);
    const checker = new Checker(1, db, [event]);
    const flush = (...seqs: number[]) => db.flush({ node: 'n1', epochs: new Map([[0, epoch]]), rows: seqs.map(placed) });
    return { db, epoch, checker, flush };
  }

  it('accepts a later batch that commits before an earlier one, once the gap fills', () => {
    const { checker, flush } = setup();
    flush(3, 4);
    checker.check();
    flush(1, 2);
    checker.check();
    checker.acknowledge('e1', held(4), 10);
    expect(() => checker.final()).not.toThrow();
  });

  it('refuses an answer for an entry still past a gap', () => {
    const { checker, flush } = setup();
    flush(1);
    flush(3);
    checker.check();
    checker.acknowledge('e1', held(3), 10);
    expect(() => checker.check()).toThrow(/acknowledged as held .* never placed/);
  });

  it('accepts a cut after the gap, and the same seqs written again by the new owner', () => {
    const { db, checker, flush } = setup();
    flush(1);
    flush(3, 4);
    const epoch = db.raise(0);
    db.truncate('n2', 0, epoch, [{ eventId: 'e1', fromSeq: 3 }]);
    expect(db.journal('e1').map((e) => e.seq)).toEqual([1]);
    db.flush({ node: 'n2', epochs: new Map([[0, epoch]]), rows: [placed(2), placed(3)] });
    expect(() => checker.final()).not.toThrow();
  });

  it('refuses a cut inside the unbroken history', () => {
    const { db, checker, flush } = setup();
    flush(1, 2);
    checker.check();
    const epoch = db.raise(0);
    db.truncate('n2', 0, epoch, [{ eventId: 'e1', fromSeq: 2 }]);
    expect(() => checker.check()).toThrow(/inside its history/);
  });

  it('refuses a cut from a stale owner', () => {
    const { db, epoch, flush } = setup();
    flush(1);
    flush(3);
    db.raise(0);
    expect(db.truncate('n1', 0, epoch, [{ eventId: 'e1', fromSeq: 3 }])).toBe('fenced');
    expect(db.journal('e1').map((e) => e.seq)).toEqual([1, 3]);
  });
});

describe('simulate', () => {
  it('gives the same summary for the same seed, and another for another seed', async () => {
    const a = await simulate({ seed: 4242, steps: 3_000 });
    expect(await simulate({ seed: 4242, steps: 3_000 })).toEqual(a);
    expect(await simulate({ seed: 4243, steps: 3_000 })).not.toEqual(a);
    expect(a.commits).toBeGreaterThan(0);
    expect(a.acknowledged).toBeGreaterThan(0);
  });

  it(`keeps every invariant over ${sweepSeeds} seeds with faults`, async () => {
    const totals = { fencedFlushes: 0, failovers: 0, acknowledged: 0, outOfOrderCommits: 0, cutEntries: 0, commitsAfterDeath: 0, leasesLost: 0 };
    const faults = { ...noFaults };
    for (let seed = 1; seed <= sweepSeeds; seed++) {
      const summary = await simulate({ seed, steps: sweepSteps });
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += summary[key];
      for (const kind of Object.keys(faults) as (keyof Faults)[]) faults[kind] += summary.faults[kind];
    }
    // The faults must actually bite, or the sweep proves nothing.
    expect(totals.fencedFlushes).toBeGreaterThan(sweepSeeds / 10);
    for (const value of Object.values(totals)) expect(value).toBeGreaterThan(0);
    for (const value of Object.values(faults)) expect(value).toBeGreaterThan(0);
  }, 300_000);
});

describe('the checker catches broken protocols', () => {
  it('catches flushes that ignore epochs', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { fencing: false } }, 300);
    expect(failure?.message).toMatch(/seed \d+, step \d+\): .* after epoch \d+ was raised/);
  });

  it('catches what a broken fence does to the journal, without the epoch rule', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { fencing: false }, epochRule: false }, 300);
    expect(failure?.message).toMatch(/seed \d+, step \d+\): .*(journal seq|oversold|acknowledged|placed twice|again)/);
  });

  it('catches a recovery that stops at a gap but leaves the batches committed after it', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { keepPastGap: true } }, 300);
    expect(failure?.message).toMatch(/written twice|actor invariant/);
  });

  it('catches a worker that drops a shard before its old rows flushed, so the node takes it back too soon', async () => {
    // One flush at a time keeps rows waiting behind a slow flush long enough for the retake to catch them.
    const failure = await firstFailure({ steps: 3_000, flushesInFlight: 1, variant: { retakeBeforeDrain: true } }, 300);
    expect(failure).not.toBeNull();
  });
});

describe('the checker catches bugs planted in the engine\'s GroupCommit and LeaseKeeper', () => {
  it('catches GroupCommit releasing answers as the actor gives them', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { groupCommitBug: 'ackBeforeCommit' } }, 300);
    expect(failure?.message).toMatch(/acknowledged as (held|confirmed) .* but the journal/);
  });

  it('catches GroupCommit releasing a flush\'s answers before the flush commits', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { groupCommitBug: 'releaseBeforeCommit' } }, 300);
    expect(failure?.message).toMatch(/acknowledged as (held|confirmed) .* but the journal/);
  });

  it('catches GroupCommit releasing answers when their flush commits while an earlier flush is still in flight', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { groupCommitBug: 'releaseOutOfOrder' } }, 300);
    expect(failure?.message).toMatch(/acknowledged as (held|confirmed) .* but the journal/);
  });

  it('catches LeaseKeeper counting a refused renewal as done', async () => {
    const failure = await firstFailure({ steps: 3_000, variant: { leaseKeeperBug: 'renewWithoutCheck' } }, 300);
    expect(failure?.message).toMatch(/n\d serves shard \d+ but its lease is (gone|n\d's)/);
  });

  it('finds none of them in the engine as it is, on the same seeds', async () => {
    expect(await firstFailure({ steps: 3_000 }, 300)).toBeNull();
  });
});
