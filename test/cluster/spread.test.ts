import { describe, expect, it } from 'vitest';
import { shardsOf } from '../../engine/src/cluster/placement.ts';
import { shardOf } from '../../engine/src/shards.ts';
import {
  createEvent,
  epochs,
  health,
  request,
  signup,
  waitForSpread,
  useCluster,
  type Cluster,
} from '../../engine/src/testing/cluster.ts';

/*
 * Three nodes spread the shards so each has exactly one owner, the one
 * rendezvous placement names; Postgres's fencing rows agree. A fourth node
 * takes its share; a node that leaves (SIGTERM) hands its shards over. Any
 * node answers for any event.
 */

const leaseTtlMs = 2_000;

describe('cluster: shard spread', () => {
  const env = useCluster({ nodes: 3, leaseTtlMs });

  /** Every shard exactly once: the lease, /health of its owner, and shard_epochs.owner name the same node. */
  async function expectSpread(c: Cluster) {
    const leases = await waitForSpread(c, { db: env.t.db });
    const owned = new Map<string, number>();
    for (const holder of leases.values()) owned.set(holder, (owned.get(holder) ?? 0) + 1);
    let total = 0;
    for (const node of c.running()) {
      const h = await health(node);
      expect(h, `${node.nodeId} /health`).not.toBeNull();
      expect(h!.owned, `${node.nodeId} owned`).toBe(owned.get(node.nodeId) ?? 0);
      expect(h!.total).toBe(c.shards);
      total += h!.owned;
    }
    expect(total).toBe(c.shards);
    const rows = await epochs(env.t.db, c.shards);
    for (const [shard, holder] of leases) {
      expect(rows.get(shard)!.owner, `shard_epochs.owner of shard ${shard}`).toBe(holder);
      expect(rows.get(shard)!.epoch, `epoch of shard ${shard}`).toBeGreaterThan(0);
    }
    return leases;
  }

  it('gives every shard exactly one owner, takes a newcomer in, and hands a leaver\'s shards over', async () => {
    const c = env.cluster;
    const three = await expectSpread(c);
    console.log(`3 nodes: ${describeSpread(three)}`);

    // Any node answers for any event, whoever owns its shard.
    const organizer = await signup(c, 'organizer');
    const buyer = await signup(c, 'participant');
    const event = await createEvent(c, organizer.token, [{ name: 'General', price: 5_000, capacity: 100 }]);
    const shard = shardOf(event.id, c.shards);
    for (const node of c.running()) {
      const answer = await request(node, 'POST', `/api/events/${event.id}/holds`, { token: buyer.token, body: { typeId: event.typeIds[0], quantity: 1 }, headers: { 'idempotency-key': `spread-${node.nodeId}` } });
      expect(answer.status, `hold through ${node.nodeId} (shard ${shard} owned by ${three.get(shard)}): ${JSON.stringify(answer.body)}`).toBe(201);
    }

    // A fourth node joins: it takes the shards placement gives it, the others keep theirs.
    const epochsBefore = await epochs(env.t.db, c.shards);
    const n4 = await c.add();
    const four = await expectSpread(c);
    console.log(`4 nodes: ${describeSpread(four)}`);
    const newcomer = [...four].filter(([, holder]) => holder === n4.nodeId).map(([s]) => s);
    expect(newcomer).toEqual(shardsOf(n4.nodeId, ['n1', 'n2', 'n3', 'n4'], c.shards));
    expect(newcomer.length).toBeGreaterThan(0);
    const epochsAfter = await epochs(env.t.db, c.shards);
    for (const s of newcomer) {
      expect(epochsAfter.get(s)!.epoch, `shard ${s} moved to ${n4.nodeId}: its epoch must have been raised`).toBeGreaterThan(epochsBefore.get(s)!.epoch);
    }
    for (const [s, holder] of four) if (holder !== n4.nodeId) expect(holder, `shard ${s} had no reason to move`).toBe(three.get(s));

    // One leaves gracefully: its shards go to the others, well within a lease TTL of its exit (it released them).
    const leaver = c.node('n2');
    const leaverShards = [...four].filter(([, holder]) => holder === leaver.nodeId).map(([s]) => s);
    expect(leaverShards.length).toBeGreaterThan(0);
    const started = Date.now();
    await c.stop(leaver);
    expect(leaver.child.exitCode, `n2 exit code, output:\n${leaver.output().slice(-3_000)}`).toBe(0);
    const three2 = await expectSpread(c);
    console.log(`after n2 left (settled ${Date.now() - started} ms after SIGTERM): ${describeSpread(three2)}`);
    for (const s of leaverShards) expect(three2.get(s), `shard ${s} of the leaver`).not.toBe(leaver.nodeId);
    for (const [s, holder] of three2) if (!leaverShards.includes(s)) expect(holder, `shard ${s} had no reason to move`).toBe(four.get(s));

    // And the event still answers through every remaining node.
    for (const node of c.running()) {
      const answer = await request(node, 'POST', `/api/events/${event.id}/holds`, { token: buyer.token, body: { typeId: event.typeIds[0], quantity: 1 }, headers: { 'idempotency-key': `spread-after-${node.nodeId}` } });
      expect(answer.status, `hold through ${node.nodeId} after n2 left: ${JSON.stringify(answer.body)}`).toBe(201);
    }
  }, 120_000);
});

function describeSpread(leases: Map<number, string>): string {
  const by = new Map<string, number[]>();
  for (const [s, holder] of leases) by.set(holder, [...(by.get(holder) ?? []), s]);
  return [...by].sort().map(([n, s]) => `${n}=[${s.join(',')}]`).join(' ');
}
