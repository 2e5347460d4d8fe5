import { setTimeout as sleep } from 'node:timers/promises';
import { shardOf } from '../../../engine/src/shards.ts';
import { clusterShards, settleTimeoutMs, type BenchCluster, type Member } from '../cluster.ts';
import { holdBody, holdHeaders, holdPath } from '../hold_requests.ts';
import { ParticipantPool } from '../participants.ts';
import { ApiError, createGaEvent, signupOrganizer } from '../tickr_api.ts';
import { holdTtlSeconds, perBuyerLimit, type ForwardSettings } from './forward_settings.ts';

/** The `forward` scenario's event on the cluster, its buyers, and what every phase adds up (see forward.ts). */

export type Setup = {
  cluster: BenchCluster;
  settings: ForwardSettings;
  eventId: string;
  typeId: string;
  shard: number;
  pool: ParticipantPool;
  tag: string;
  firstHoldAt: number;
  buyerSetupMs: number;
  /** Holds answered 201, in every phase: each must still be counted at the end. */
  acknowledged: number;
  refused: number;
};

export async function prepare(cluster: BenchCluster, settings: ForwardSettings, tag: string): Promise<Setup> {
  const via = cluster.members[0]!.server;
  const organizer = await signupOrganizer(via.url, tag);
  const event = await createGaEvent(via.url, organizer, { name: `Bench forward ${tag}`, capacity: settings.capacity, perBuyerLimit, holdTtlSeconds });
  return {
    cluster,
    settings,
    eventId: event.id,
    typeId: event.ticketTypes[0]!.id,
    shard: shardOf(event.id, clusterShards),
    // Buyers straight into the shared PostgreSQL, tokens minted with the cluster's secret: see participants.ts.
    pool: new ParticipantPool(via, tag),
    tag,
    firstHoldAt: Date.now(),
    buyerSetupMs: 0,
    acknowledged: 0,
    refused: 0,
  };
}

/** The node named by the lease of the event's shard; waits for one (a lease may be changing hands). */
export async function ownerOfShard(setup: Setup): Promise<string> {
  const deadline = Date.now() + settleTimeoutMs;
  for (;;) {
    const holder = (await setup.cluster.leases())[setup.shard] ?? null;
    if (holder !== null && setup.cluster.running().some((m) => m.nodeId === holder)) return holder;
    if (Date.now() > deadline) throw new Error(`no running node holds the lease of shard ${setup.shard} (it names ${holder})`);
    await sleep(100);
  }
}

export async function takeBuyers(setup: Setup, count: number): Promise<string[]> {
  const started = Date.now();
  const tokens = await setup.pool.take(count);
  setup.buyerSetupMs += Date.now() - started;
  return tokens;
}

/** One hold by hand through `via`: a token the node refuses, or forwarding that does not work, fails here with its own message. */
export async function preflight(setup: Setup, via: Member, what: string): Promise<void> {
  const [token] = await takeBuyers(setup, 1);
  const response = await fetch(`${via.server.url}${holdPath(setup)}`, { method: 'POST', headers: holdHeaders(token!, `${setup.tag}-preflight-${what}`), body: holdBody(setup) });
  const text = await response.text();
  if (response.status !== 201) {
    const why = response.status === 401 ? 'the node refused a token minted by the bench' : `POST ${holdPath(setup)} answered ${response.status}`;
    throw new ApiError(`preflight ${what} hold through ${via.nodeId}: ${why}: ${text.slice(0, 300)}`, response.status, text);
  }
  setup.acknowledged++;
}
