import { Worker } from 'node:worker_threads';
import { mailboxDepthMax } from '../constants.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import type { QueueStatus } from '../queue/types.ts';
import type { FromWorker, ToWorker, WorkerInit, WorkerStats } from './protocol.ts';
import { flattenCommands, forEachAnswer, pack, unpack } from './wire.ts';

import type { Logger } from '../log.ts';
import { shardUnavailable } from '../engine.ts';

/** The one logger type (engine/src/log.ts), under the name this module's callers import. */
export type Log = Logger;

type Slot = {
  index: number;
  worker: Worker;
  alive: boolean;
  /** Commands of this turn, sent together when the turn ends. */
  outIds: number[];
  outCmds: Command[];
  /**
   * Every command given to this worker and not yet answered (in the outbox or
   * sent), by id, with its caller's resolve: one Map per worker instead of a
   * shared one plus a Set, so a command costs one insert and one delete.
   */
  waiting: Map<number, (outcome: Outcome) => void>;
  shards: Set<number>;
  stats: WorkerStats | null;
  waitingOwned: Map<number, { resolve: () => void; reject: (error: Error) => void }>;
  waitingDisowned: Map<number, () => void>;
  onStopped: (() => void) | null;
};

const busy: Outcome = { ok: false, reason: 'busy' };

/**
 * The main thread's side of the shard workers: routes each command to the
 * worker hosting its shard, batches every command of one event-loop turn into
 * one message per worker, and matches answers to callers. A worker that dies
 * fails its unanswered commands with `shard_unavailable` (they were never
 * acknowledged) and is started again; `onRestart` lets the node raise the
 * epochs of its shards before handing them back.
 */
export class ShardWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private flushQueued = false;
  private closing = false;
  readonly restarts: number[] = [];

  constructor(
    private readonly opts: {
      count: number;
      init: Omit<WorkerInit, 'index'>;
      log: Log;
      onRestart: (index: number, shards: number[]) => void;
      onFenced: (shards: number[]) => void;
      /** Head moves and state changes of the queues in these workers, once durable. */
      onQueueStatus?: (statuses: QueueStatus[]) => void;
    },
  ) {
    for (let i = 0; i < opts.count; i++) this.slots.push(this.spawn(i, new Set()));
  }

  workerOf(shard: number): number {
    return shard % this.slots.length;
  }

  /** `shard` is `shardOf(cmd.eventId)`, which the caller has already computed to decide that this node serves it. */
  send(cmd: Command, shard: number): Promise<Outcome> {
    const slot = this.slots[this.workerOf(shard)]!;
    if (!slot.alive || this.closing) return Promise.resolve(shardUnavailable);
    if (slot.waiting.size >= mailboxDepthMax) return Promise.resolve(busy);
    const id = this.nextId++;
    slot.outIds.push(id);
    slot.outCmds.push(cmd);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushOutboxes);
    }
    return new Promise((resolve) => slot.waiting.set(id, resolve));
  }

  /** Hands a shard to its worker at `epoch`; resolves when its events are loaded. */
  /** Rejects when the worker dies before it has loaded the shard: the caller takes it again later. */
  own(shard: number, epoch: number): Promise<void> {
    const slot = this.slots[this.workerOf(shard)]!;
    if (!slot.alive) return Promise.reject(new Error(`shard worker ${slot.index} is down`));
    slot.shards.add(shard);
    return new Promise((resolve, reject) => {
      slot.waitingOwned.set(shard, { resolve, reject });
      this.post(slot, { t: 'own', shard, epoch });
    });
  }

  disown(shard: number): Promise<void> {
    const slot = this.slots[this.workerOf(shard)]!;
    slot.shards.delete(shard);
    // A dead worker holds nothing to flush: what it had was never acknowledged.
    if (!slot.alive) return Promise.resolve();
    return new Promise((resolve) => {
      slot.waitingDisowned.set(shard, resolve);
      this.post(slot, { t: 'disown', shard });
    });
  }

  workers(): { index: number; alive: boolean; shards: number; mailboxDepth: number; stats: WorkerStats | null }[] {
    return this.slots.map((s) => ({ index: s.index, alive: s.alive, shards: s.shards.size, mailboxDepth: s.waiting.size - s.outIds.length, stats: s.stats }));
  }

  /** Lets every worker flush what it holds, then ends them. */
  async close(): Promise<void> {
    this.closing = true;
    this.flushOutboxes();
    await Promise.all(
      this.slots.map(async (slot) => {
        if (!slot.alive) return;
        await Promise.race([
          new Promise<void>((resolve) => {
            slot.onStopped = resolve;
            this.post(slot, { t: 'stop' });
          }),
          new Promise((resolve) => setTimeout(resolve, 10_000)),
        ]);
        slot.alive = false;
        await slot.worker.terminate();
      }),
    );
  }

  private readonly flushOutboxes = (): void => {
    this.flushQueued = false;
    for (const slot of this.slots) {
      if (slot.outIds.length === 0) continue;
      const ids = slot.outIds;
      const cmds = slot.outCmds;
      slot.outIds = [];
      slot.outCmds = [];
      if (this.opts.init.wire === 'msgpack') {
        const frame = pack({ ids, cmds });
        slot.worker.postMessage({ t: 'cmdsPacked', frame } satisfies ToWorker, [frame.buffer as ArrayBuffer]);
      } else {
        this.post(slot, { t: 'cmds', batch: flattenCommands(ids, cmds) });
      }
    }
  };

  private post(slot: Slot, message: ToWorker): void {
    if (slot.alive) slot.worker.postMessage(message);
  }

  private spawn(index: number, shards: Set<number>): Slot {
    const entry = new URL(`./shard_worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
    const worker = new Worker(new URL('./boot.mjs', import.meta.url), {
      workerData: { entry, init: { ...this.opts.init, index } satisfies WorkerInit },
      name: `tickr-shard-worker-${index}`,
    });
    const slot: Slot = {
      index, worker, alive: true, outIds: [], outCmds: [], waiting: new Map(), shards,
      stats: null, waitingOwned: new Map(), waitingDisowned: new Map(), onStopped: null,
    };
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => this.opts.log('error', `shard worker ${index} crashed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private answer(slot: Slot, ids: number[], outcomes: Outcome[]): void {
    for (let i = 0; i < ids.length; i++) this.answerOne(slot, ids[i]!, outcomes[i]!);
  }

  private answerOne(slot: Slot, id: number, outcome: Outcome): void {
    const resolve = slot.waiting.get(id);
    if (resolve !== undefined) {
      slot.waiting.delete(id);
      resolve(outcome);
    }
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    switch (message.t) {
      case 'answers':
        return forEachAnswer(message.batch, (id, outcome) => this.answerOne(slot, id, outcome));
      case 'answersPacked': {
        const { ids, outcomes } = unpack<{ ids: number[]; outcomes: Outcome[] }>(message.frame);
        return this.answer(slot, ids, outcomes);
      }
      case 'owned':
        slot.waitingOwned.get(message.shard)?.resolve();
        slot.waitingOwned.delete(message.shard);
        return;
      case 'disowned':
        slot.waitingDisowned.get(message.shard)?.();
        slot.waitingDisowned.delete(message.shard);
        return;
      case 'stats':
        slot.stats = message.stats;
        return;
      case 'log':
        return this.opts.log(message.level, `[worker ${slot.index}] ${message.msg}`);
      case 'fatal':
        this.opts.log('error', `shard worker ${slot.index} failed and will be rebuilt from the journal: ${message.msg}`);
        if (message.fencedShards.length > 0) this.opts.onFenced(message.fencedShards);
        return;
      case 'stopped':
        slot.onStopped?.();
        return;
      case 'queueStatus':
        this.opts.onQueueStatus?.(message.statuses);
        return;
    }
  }

  private onExit(slot: Slot, code: number): void {
    const wasAlive = slot.alive;
    slot.alive = false;
    // Nothing in flight was acknowledged: the callers learn it was not done.
    for (const resolve of slot.waiting.values()) resolve(shardUnavailable);
    slot.waiting.clear();
    for (const { reject } of slot.waitingOwned.values()) reject(new Error(`shard worker ${slot.index} exited before loading its shards`));
    slot.waitingOwned.clear();
    for (const resolve of slot.waitingDisowned.values()) resolve();
    slot.waitingDisowned.clear();
    if (this.closing || !wasAlive) return;
    this.opts.log('warn', `shard worker ${slot.index} exited (code ${code}); starting a new one`);
    this.restarts.push(Date.now());
    const next = this.spawn(slot.index, slot.shards);
    this.slots[slot.index] = next;
    this.opts.onRestart(slot.index, [...next.shards]);
  }
}
