/**
 * A shard worker thread: hosts the inventory actors of the shards this node
 * gave it, applies their commands in arrival order, and answers through group
 * commit (group_commit.ts). Started by ShardWorkers (pool.ts) via boot.mjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { expiryTickMs, flushIntervalMs, mailboxDepthMax, pgQueryTimeoutMs, unknownEventsMax, unknownEventTtlMs, writeConnectionIdleMs } from '../constants.ts';
import { pgLinkOptions } from '../db/pool.ts';
import { selectEventConfig, selectEventConfigsOfShards } from '../db/events.ts';
import { recoverEvent } from '../journal/load.ts';
import { FencedError } from '../journal/flush.ts';
import { InventoryActor } from '../inventory/actor.ts';
import type { Command, EventConfig, Outcome } from '../inventory/types.ts';
import { QueueCommit } from '../queue/commit.ts';
import { QueueHost } from '../queue/host.ts';
import { shardOf } from '../shards.ts';
import { databaseFlushes, GroupCommit } from './group_commit.ts';
import { SnapshotWriter } from './snapshot_writer.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { flattenAnswers, forEachCommand, pack, unpack } from './wire.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const init = workerData.init as WorkerInit;
const port = parentPort!;
const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer ?? []);

type Waiting = [id: number, cmd: Command][];
type Shard = { epoch: number; ready: boolean; waiting: Waiting };

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const owned = new Map<number, Shard>();
const actors = new Map<string, { actor: InventoryActor; shard: number; snapshotSeq: number }>();
const loading = new Map<string, Waiting>();
const unknownEvents = new Map<string, number>();

/*
 * Flushes use connections of their own, one per flush in flight, so a slow
 * load never delays a commit; snapshots and the queues' writes have one each,
 * so neither waits behind a journal flush. Each is a pool opened as the load
 * needs it (a quiet worker holds one flush connection, not four) and closed
 * after a while idle. A write that fails is fatal (group_commit.ts), and so
 * is a write connection lost while idle, as it was with one fixed connection:
 * the worker is rebuilt from the journal rather than left to guess what the
 * database still has. A lost read connection only costs a reconnect. A
 * statement unanswered for `pgQueryTimeoutMs` fails like any other (a flush
 * that times out is fatal, never taken for a commit) and its connection is
 * destroyed, so a dead link never holds the worker past it.
 */
const pool = (role: string, max: number, onError: (error: Error) => void) => {
  const p = new pg.Pool({ connectionString: init.dbUrl, max, idleTimeoutMillis: writeConnectionIdleMs, application_name: `tickr-${role}-${init.nodeId}-${init.index}`, ...pgLinkOptions, query_timeout: pgQueryTimeoutMs });
  p.on('error', onError);
  return p;
};
const flushes = pool('flush', init.flushesInFlight, (error) => fatal(error));
const snapshotWrites = pool('snapshot', 1, (error) => fatal(error));
const queueWrites = pool('queue', 1, (error) => fatal(error));
const reads = pool('load', 2, () => {});

const snapshots = new SnapshotWriter(snapshotWrites, fatal);
const commit = new GroupCommit(databaseFlushes(flushes), init.flushesInFlight, init.flushDelayMs, releaseAnswers, fatal, snapshots, { intervalMs: flushIntervalMs });
// The queues of the drops beside their inventories (queue/host.ts).
const queueCommit = new QueueCommit(queueWrites, releaseAnswers, fatal, (statuses) => post({ t: 'queueStatus', statuses }));
const queues = new QueueHost(queueCommit, reads);
const servedShards = { epochOf: (shardNo: number) => (owned.get(shardNo)?.ready ? owned.get(shardNo)!.epoch : null) };

function releaseAnswers(ids: number[], outcomes: Outcome[]): void {
  if (init.wire === 'msgpack') {
    const frame = pack({ ids, outcomes });
    post({ t: 'answersPacked', frame }, [frame.buffer as ArrayBuffer]);
  } else {
    post({ t: 'answers', batch: flattenAnswers(ids, outcomes) });
  }
}

function fatal(error: unknown): void {
  const fencedShards = error instanceof FencedError ? error.shards : [];
  post({ t: 'fatal', msg: (error as Error).message ?? String(error), fencedShards });
  // The actors hold effects that never became durable: this thread must go.
  setImmediate(() => process.exit(1));
}

function refuse(id: number, reason: 'shard_unavailable' | 'busy' | 'event_not_found'): void {
  commit.answer(id, { ok: false, reason });
}

function run(id: number, cmd: Command): void {
  if (commit.depth >= mailboxDepthMax) return refuse(id, 'busy');
  const shardNo = shardOf(cmd.eventId, init.shards);
  const shard = owned.get(shardNo);
  if (!shard) return refuse(id, 'shard_unavailable');
  if (!shard.ready) {
    shard.waiting.push([id, cmd]);
    return;
  }
  const hosted = actors.get(cmd.eventId);
  if (!hosted) return load(id, cmd, shardNo);
  const now = Date.now();
  if (cmd.kind === 'queue') return queues.run(id, cmd, shardNo, shard.epoch, hosted.actor, now);
  const gated = queues.gate(cmd);
  if (gated !== null) return commit.answer(id, gated);
  const { outcome, entries } = hosted.actor.handle(cmd, now);
  commit.record(shardNo, shard.epoch, entries);
  if (entries.length > 0 || cmd.kind === 'reconfigure') queues.observe(cmd.eventId, cmd, entries, hosted.actor);
  if (outcome.ok && outcome.kind === 'confirmed') {
    const h = outcome.hold;
    for (const ticketId of outcome.ticketIds) {
      commit.ticket({ id: ticketId, eventId: h.eventId, typeId: h.typeId, holdId: h.holdId, buyerId: h.buyer, price: h.price, currency: h.currency });
    }
  }
  // A snapshot lists every open hold and buyer: taking one only after at least
  // as many entries keeps its cost per entry bounded however large the drop
  // grows, and recovery replays no more entries than the snapshot would list.
  if (hosted.actor.seq - hosted.snapshotSeq >= Math.max(init.snapshotEvery, hosted.actor.snapshotItems)) {
    hosted.snapshotSeq = hosted.actor.seq;
    commit.snapshot(cmd.eventId, shardNo, shard.epoch, hosted.actor.snapshot());
  }
  commit.answer(id, outcome);
}

/** `epoch` is the shard's, raised by this node before it asked us to serve it (recovery may cut the journal). */
async function restoreActor(config: EventConfig, epoch: number): Promise<void> {
  const { snapshot, tail, truncatedEntries } = await recoverEvent(reads, config.eventId, config.shard, epoch);
  if (truncatedEntries > 0) {
    post({ t: 'log', level: 'warn', msg: `event ${config.eventId}: dropped ${truncatedEntries} journal entries committed after a missing batch (never acknowledged)` });
  }
  const actor = InventoryActor.restore(config, snapshot, tail);
  await queues.load(config.eventId, config.shard, actor, Date.now());
  actors.set(config.eventId, { actor, shard: config.shard, snapshotSeq: snapshot?.seq ?? 0 });
}

/** First command for an event this worker does not host yet: load it, then run what waited. */
function load(id: number, cmd: Command, shardNo: number): void {
  const queued = loading.get(cmd.eventId);
  if (queued) {
    queued.push([id, cmd]);
    return;
  }
  const known = unknownEvents.get(cmd.eventId);
  if (!uuidShape.test(cmd.eventId) || (known !== undefined && known > Date.now() && cmd.kind !== 'reconfigure')) {
    return refuse(id, 'event_not_found');
  }
  const waiting: Waiting = [[id, cmd]];
  loading.set(cmd.eventId, waiting);
  void (async () => {
    let failure: 'event_not_found' | 'shard_unavailable' | null = null;
    try {
      const config = await selectEventConfig(reads, cmd.eventId);
      if (!config || config.shard !== shardNo) {
        if (unknownEvents.size >= unknownEventsMax) unknownEvents.clear();
        unknownEvents.set(cmd.eventId, Date.now() + unknownEventTtlMs);
        failure = 'event_not_found';
      } else if (!owned.get(shardNo)?.ready) {
        failure = 'shard_unavailable';
      } else {
        unknownEvents.delete(cmd.eventId);
        await restoreActor(config, owned.get(shardNo)!.epoch);
      }
    } catch (error) {
      post({ t: 'log', level: 'error', msg: `loading event ${cmd.eventId} failed: ${(error as Error).message}` });
      failure = 'shard_unavailable';
    }
    loading.delete(cmd.eventId);
    for (const [waitingId, waitingCmd] of waiting) {
      if (failure) refuse(waitingId, failure);
      else run(waitingId, waitingCmd);
    }
    commit.schedule();
  })();
}

async function own(shardNo: number, epoch: number): Promise<void> {
  // Owned already (taken back at a new epoch): what the old ownership wrote
  // must be durable before its actors are dropped and read back.
  if (owned.has(shardNo)) await disown(shardNo, false);
  const shard: Shard = { epoch, ready: false, waiting: [] };
  owned.set(shardNo, shard);
  // Recovery: every event of the shard comes back from its snapshot and journal
  // tail now, so holds that lapsed while nobody owned it are released at once.
  const configs = await selectEventConfigsOfShards(reads, [shardNo]);
  for (const config of configs) await restoreActor(config, epoch);
  shard.ready = true;
  for (const [id, cmd] of shard.waiting.splice(0)) run(id, cmd);
  expire();
  post({ t: 'owned', shard: shardNo, events: configs.length });
}

async function disown(shardNo: number, tell = true): Promise<void> {
  const shard = owned.get(shardNo);
  owned.delete(shardNo);
  for (const [id] of shard?.waiting ?? []) refuse(id, 'shard_unavailable');
  await commit.drain();
  await queueCommit.drain();
  for (const [eventId, hosted] of actors) if (hosted.shard === shardNo) actors.delete(eventId);
  queues.drop(shardNo);
  if (tell) post({ t: 'disowned', shard: shardNo });
}

/** The timer side of `expireHolds`: every tick, each actor with a hold due releases it. */
function expire(): void {
  const now = Date.now();
  for (const [eventId, until] of unknownEvents) if (until <= now) unknownEvents.delete(eventId);
  for (const [eventId, hosted] of actors) {
    const due = hosted.actor.nextExpiryAt();
    if (due === undefined || due > now) continue;
    const shard = owned.get(hosted.shard);
    if (!shard?.ready) continue;
    const entries = hosted.actor.expire(now);
    commit.record(hosted.shard, shard.epoch, entries);
    queues.observe(eventId, null, entries, hosted.actor);
  }
  commit.schedule();
  queues.tick(now, servedShards);
}

function onMessage(message: ToWorker): void {
  switch (message.t) {
    case 'cmds':
      forEachCommand(message.batch, run);
      commit.schedule();
      break;
    case 'cmdsPacked': {
      const { ids, cmds } = unpack<{ ids: number[]; cmds: Command[] }>(message.frame);
      for (let i = 0; i < ids.length; i++) run(ids[i]!, cmds[i]!);
      commit.schedule();
      break;
    }
    case 'own':
      own(message.shard, message.epoch).catch(fatal);
      break;
    case 'disown':
      disown(message.shard).catch(fatal);
      break;
    case 'stop':
      void stop();
      break;
  }
}

async function stop(): Promise<void> {
  clearInterval(expiryTimer);
  clearInterval(statsTimer);
  await commit.drain();
  await queueCommit.drain();
  await Promise.all([flushes, snapshotWrites, queueWrites, reads].map((p) => p.end().catch(() => {})));
  post({ t: 'stopped' });
}

const expiryTimer = setInterval(expire, expiryTickMs);
const statsTimer = setInterval(() => {
  commit.stats.mailboxDepth = commit.depth;
  commit.stats.actors = actors.size;
  post({ t: 'stats', stats: commit.stats });
}, 1_000);

// The first flush connection now: a worker that cannot reach Postgres fails at start, not on its first hold.
await flushes.query('SELECT 1');
port.on('message', onMessage);
post({ t: 'log', level: 'info', msg: `shard worker ${init.index} ready` });
