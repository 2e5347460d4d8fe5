import { describe, expect, it } from 'vitest';
import { shardOf } from '../../engine/src/shards.ts';
import {
  checkJournal,
  createEvent,
  epochs,
  health,
  pause,
  request,
  resume,
  signinOperator,
  signup,
  startLoad,
  until,
  verifyAcknowledged,
  waitForSpread,
  useCluster,
} from '../../engine/src/testing/cluster.ts';

/*
 * The owner of the hot event's shard is frozen (SIGSTOP) for longer than its
 * lease, under load, while the others take its shards over; then it wakes
 * (SIGCONT) believing, for a moment, that it still owns them. Requests that
 * reached it while it was frozen are answered only then. Fencing must refuse
 * its late flushes, it must step down, and nothing may be sold twice.
 */

const leaseTtlMs = 2_000;
/** Longer than the lease and than a node's membership TTL (5 s), so the others both may and do take over. */
const pauseAtLeastMs = 7_000;

describe('cluster: a paused owner (SIGSTOP past its lease, then SIGCONT)', () => {
  const env = useCluster({ nodes: 3, leaseTtlMs });

  it('refuses the stale owner\'s late writes, makes it step down, and never sells twice', async () => {
    const c = env.cluster;
    await waitForSpread(c, { db: env.t.db });
    const organizer = await signup(c, 'organizer');
    const event = await createEvent(c, organizer.token, [
      { name: 'General', price: 5_000, capacity: 3_000 },
      { name: 'VIP', price: 20_000, capacity: 60 },
    ]);
    const [general, vip] = event.typeIds as [string, string];
    const buyers = await Promise.all(Array.from({ length: 12 }, (_, i) => signup(c, 'participant', `buyer${i}`)));
    const late = await signup(c, 'participant', 'late');
    const op = await signinOperator(c);
    const shard = shardOf(event.id, c.shards);

    const load = startLoad({ cluster: c, eventId: event.id, typeIds: [general, vip], buyers, operatorToken: op, loops: 10, thinkMs: 5 });
    let lateAnswers: (number | null)[] = [];
    let victimId = '';
    let epochTaken = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const leases = await c.owners();
      victimId = leases.get(shard)!;
      expect(victimId, `owner of shard ${shard}`).toBeTruthy();
      const victim = c.node(victimId);
      const victimShards = [...leases].filter(([, holder]) => holder === victimId).map(([s]) => s);
      const ownedBefore = (await health(victim))!.owned;
      expect(ownedBefore).toBe(victimShards.length);
      const epochsBefore = await epochs(env.t.db, c.shards);

      pause(victim);
      const pausedAt = Date.now();
      // Requests that reach the frozen node now wait in its socket backlog and are answered when it wakes.
      const held = [...load.held.values()].filter((h) => !load.confirmSent.has(h.holdId)).slice(0, 5);
      const lateRequests = [
        ...Array.from({ length: 5 }, (_, i) => load.holdVia(victim, late, i % 2 === 0 ? general : vip, 1, 60_000)),
        ...held.map((h) => load.confirmVia(victim, h.holdId, 60_000)),
      ];

      // The others take every shard of the frozen node over: new leases, new epochs.
      await until(
        async () => {
          const now = await c.owners();
          const rows = await epochs(env.t.db, c.shards);
          return victimShards.every((s) => now.get(s) && now.get(s) !== victimId && rows.get(s)!.epoch > epochsBefore.get(s)!.epoch && rows.get(s)!.owner === now.get(s));
        },
        30_000,
        `the shards of ${victimId} (${victimShards}) to move to other nodes`,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${c.output()}`);
      });
      const takenAfterMs = Date.now() - pausedAt;
      epochTaken = (await epochs(env.t.db, c.shards)).get(shard)!.epoch;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, pauseAtLeastMs - (Date.now() - pausedAt))));

      resume(victim);
      const resumedAt = Date.now();
      // Right after waking it must notice it lost its leases: watch its /health while it settles.
      const ownedSeen: number[] = [];
      while (Date.now() - resumedAt < 3_000) {
        const h = await health(victim, 1_000);
        if (h) ownedSeen.push(h.owned);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      lateAnswers = (await Promise.all(lateRequests)).map((a) => a?.status ?? null);
      console.log(
        `pause: froze ${victimId} (shards ${victimShards}, owned ${ownedBefore}); others took over after ${takenAfterMs} ms (shard ${shard} at epoch ${epochTaken}); ` +
          `resumed after ${resumedAt - pausedAt} ms; its /health owned after waking: ${ownedSeen.join(',')}; answers to requests sent while frozen: ${lateAnswers.join(',')}`,
      );
      expect(Math.min(...ownedSeen), `${victimId} must step down after waking\n${c.output()}`).toBeLessThan(ownedBefore);
      for (const status of lateAnswers) if (status !== null) expect([201, 200, 503, 409], 'answer to a request the frozen node got').toContain(status);

      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const metrics = await request(victim, 'GET', '/metrics').then((a) => String(a.body), () => '');
      console.log(`${victimId} metrics after waking:\n${metrics.split('\n').filter((l) => !l.startsWith('#') && /fenc|restart|lease|epoch|shard/i.test(l)).join('\n')}`);
    } finally {
      for (const n of c.nodes) if (n.state === 'paused') resume(n);
      await load.stop();
    }
    console.log(`pause load: ${load.summary()}`);
    console.log(`${victimId} after waking:\n${c.node(victimId).output().slice(-2_000)}`);

    // The cluster settles again (the woken node may take its shards back, at a newer epoch still).
    await waitForSpread(c, { db: env.t.db });
    const finalEpoch = (await epochs(env.t.db, c.shards)).get(shard)!;
    if (finalEpoch.owner === victimId) expect(finalEpoch.epoch, 'the woken node may own the shard again only under a newer epoch').toBeGreaterThan(epochTaken);

    // Fencing: no row at an epoch older than the takeover's follows a row of the takeover's epoch or later.
    const journal = await checkJournal(env.t.db, event.id);
    const { rows } = await env.t.db.query<{ stale_after: number }>(
      `SELECT count(*)::int AS stale_after FROM inventory_journal j
        WHERE j.event_id = $1 AND j.epoch < $2
          AND j.seq_from > (SELECT min(seq_from) FROM inventory_journal WHERE event_id = $1 AND epoch >= $2)`,
      [event.id, epochTaken],
    );
    expect(rows[0]!.stale_after, 'journal rows of a stale epoch after the new owner\'s first row').toBe(0);
    console.log(`journal of the hot event: ${journal.rows} rows, epochs ${journal.epochs.join(',')}`);

    expect(load.held.size).toBeGreaterThan(20);
    await verifyAcknowledged({ cluster: c, db: env.t.db, load, eventId: event.id, capacities: event.capacities });
  }, 120_000);
});
