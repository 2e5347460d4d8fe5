import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { expiryTickMs } from '../../engine/src/constants.ts';
import { InventoryActor } from '../../engine/src/inventory/actor.ts';
import type { EventConfig, PlaceHold } from '../../engine/src/inventory/types.ts';

/**
 * The inventory actor alone, on one core, no I/O: one hot event with a huge
 * capacity and many buyers. Each step places a hold (half of them with an
 * idempotency key, as browsers send); once `window` holds are open, each step
 * also closes the oldest: nine in ten released, one in ten confirmed. The
 * clock advances 1 ms per 1,000 commands and the expiry timer runs every tick.
 *
 * Usage: node --import tsx bench/src/actor_micro.ts [seconds=3] [keyedShare=0.5] [buyers=131072]
 */
export async function runActorMicro(opts: {
  seconds?: number;
  /** Share of holds placed with an idempotency key; default one half. */
  keyedShare?: number;
  /** Distinct buyers, a power of two; default 2^17. Fewer buyers fit in the CPU cache and run faster. */
  buyers?: number;
}): Promise<{ commandsPerSecond: number; commands: number; ms: number; cpuMs: number }> {
  const seconds = opts.seconds ?? 3;
  const workload = hotEvent(opts);

  // Let the JIT settle before timing, as a long-running worker would be.
  const warmupUntil = performance.now() + 300;
  const started = { at: 0, cpu: process.cpuUsage() };
  let deadline = warmupUntil;
  let timing = false;
  for (;;) {
    runBatch(workload);
    const at = performance.now();
    if (at < deadline) continue;
    if (timing) {
      const commands = workload.commands;
      const ms = at - started.at;
      const cpu = process.cpuUsage(started.cpu);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return { commandsPerSecond: Math.round((commands * 1000) / ms), commands, ms: Math.round(ms), cpuMs: Math.round(cpuMs) };
    }
    timing = true;
    workload.commands = 0;
    started.at = at;
    started.cpu = process.cpuUsage();
    deadline = at + seconds * 1000;
  }
}

type MicroOptions = Parameters<typeof runActorMicro>[0];
type MicroResult = Awaited<ReturnType<typeof runActorMicro>>;

/**
 * `runActorMicro` in a worker thread of its own, as the actor runs in a shard
 * worker: its own heap, which holds the actor and nothing else. Run in the
 * bench's own thread after its loads, the same loop measured 0.70M commands/s
 * where a fresh process measured 1.02-1.06M, on the same commit and machine
 * (2026-12-07); in a worker of its own, 0.82M and 1.03M in two runs.
 */
export function runActorMicroInWorker(opts: MicroOptions): Promise<MicroResult> {
  const boot = new URL('../../engine/src/worker/boot.mjs', import.meta.url);
  const worker = new Worker(boot, { workerData: { entry: import.meta.url, actorMicro: opts }, name: 'tickr-actor-micro' });
  return new Promise<MicroResult>((resolve, reject) => {
    worker.once('message', (result: MicroResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the actor micro-benchmark's worker exited with code ${code} before answering`)));
  }).finally(() => void worker.terminate());
}

/** Holds open at once: past it, each step closes the oldest. A power of two, so a step's slot is a mask. */
const window = 1024;
/** Steps between two looks at the clock. */
const batchSteps = 4096;

/** The actor, its one event and buyers, and where the run stands: the clock, the open holds, the commands handled. */
type Workload = {
  actor: InventoryActor;
  eventId: string;
  typeId: string;
  /** 0: no place carries a key. */
  keyEvery: number;
  buyers: string[];
  keys: string[];
  /** The open holds by slot, '' where none is. */
  open: string[];
  now: number;
  nextTickAt: number;
  commands: number;
  step: number;
};

function hotEvent(opts: { keyedShare?: number; buyers?: number }): Workload {
  // One place in `keyEvery` carries an idempotency key.
  const keyEvery = opts.keyedShare === 0 ? 0 : Math.max(1, Math.round(1 / (opts.keyedShare ?? 0.5)));
  const eventId = wireUuid();
  const typeId = wireUuid();
  const config: EventConfig = {
    eventId,
    shard: 0,
    currency: 'EUR',
    perBuyerLimit: 100,
    holdTtlMs: 8 * 60_000,
    saleStartsAt: null,
    saleEndsAt: null,
    types: [{ typeId, price: 5_000, capacity: 10_000_000 }],
  };
  const actor = InventoryActor.create(config);
  const buyerCount = opts.buyers ?? 1 << 17;
  if ((buyerCount & (buyerCount - 1)) !== 0) throw new Error('buyers must be a power of two');
  const buyers = Array.from({ length: buyerCount }, wireUuid);
  const keys = Array.from({ length: 1024 }, wireUuid);
  const open: string[] = new Array<string>(window).fill('');
  const now = Date.UTC(2030, 0, 1);
  return { actor, eventId, typeId, keyEvery, buyers, keys, open, now, nextTickAt: now + expiryTickMs, commands: 0, step: 0 };
}

/**
 * `batchSteps` steps. The moving parts are copied into locals for the batch
 * and back after it, so the loop runs on locals as it would inline.
 */
function runBatch(w: Workload): void {
  const { actor, eventId, typeId, keyEvery, buyers, keys, open } = w;
  const buyerCount = buyers.length;
  let { now, nextTickAt, commands, step } = w;
  for (let batch = 0; batch < batchSteps; batch++, step++) {
    const slot = step & (window - 1);
    const cmd: PlaceHold = {
      kind: 'placeHold',
      eventId,
      typeId,
      qty: 1,
      buyer: buyers[step & (buyerCount - 1)]!,
      key: keyEvery !== 0 && step % keyEvery === 0 ? keys[(step >>> 17) & 1023]! : null,
    };
    const placed = actor.handle(cmd, now);
    commands++;
    const holdId = open[slot]!;
    if (holdId !== '') {
      if (step % 10 === 0) actor.handle({ kind: 'confirmHold', eventId, holdId }, now);
      else actor.handle({ kind: 'releaseHold', eventId, holdId, buyer: null }, now);
      commands++;
    }
    // With few buyers, confirmed tickets eventually reach the per-buyer limit: a refusal is a command too.
    open[slot] = placed.outcome.ok && placed.outcome.kind === 'held' ? placed.outcome.hold.holdId : '';
    if ((step & 1023) === 0) {
      now += 1;
      if (now >= nextTickAt) {
        actor.expire(now);
        nextTickAt += expiryTickMs;
      }
    }
  }
  w.now = now;
  w.nextTickAt = nextTickAt;
  w.commands = commands;
  w.step = step;
}

/**
 * A random UUID as a flat string, as the worker receives one (msgpackr and
 * structured clone both make flat strings). `randomUUID` joins its result from
 * some twenty pieces, a rope that is flattened on its first comparison or hash;
 * with 2^17 buyers each used a few times per run, that flattening, and the
 * scavenger's work moving the flattened copies, fell inside the timed loop as
 * if it were the actor's.
 */
function wireUuid(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

// In the worker `runActorMicroInWorker` starts: run and answer.
const asWorker = isMainThread ? null : (workerData as { actorMicro?: MicroOptions } | null)?.actorMicro;
if (asWorker) parentPort!.postMessage(await runActorMicro(asWorker));

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 3);
  const keyedShare = Number(process.argv[3] ?? 0.5);
  const buyers = Number(process.argv[4] ?? 1 << 17);
  const result = await runActorMicro({ seconds, keyedShare, buyers });
  const perCpuSecond = Math.round((result.commands * 1000) / result.cpuMs);
  console.log(
    `actor micro: ${result.commandsPerSecond.toLocaleString('en')} commands/s ` +
      `(${result.commands.toLocaleString('en')} in ${result.ms} ms; ${perCpuSecond.toLocaleString('en')} per CPU-second, GC threads included; ` +
      `${Math.round(keyedShare * 100)}% of holds keyed, ${buyers.toLocaleString('en')} buyers)`,
  );
}
