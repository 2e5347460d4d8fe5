import { randomUUID } from 'node:crypto';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { HoldView, Outcome, PlaceHold } from '../../engine/src/inventory/types.ts';
import type { FromWorker, ToWorker, Wire } from '../../engine/src/worker/protocol.ts';
import { flattenAnswers, flattenCommands, forEachAnswer, forEachCommand, pack, unpack } from '../../engine/src/worker/wire.ts';
import { percentileOfSorted } from './stats.ts';

/**
 * The thread hop alone: how fast command batches go from the main thread to a
 * shard worker and their answers come back, for both codecs of
 * engine/src/worker/wire.ts (`clone`: structured clone of one flat array;
 * `msgpack`: one msgpackr frame, its buffer transferred). Same messages as
 * pool.ts and shard_worker.ts: `cmds` / `cmdsPacked` one way, `answers` /
 * `answersPacked` back, encoded by the engine's own `pack` and `unpack`.
 *
 * A real worker_threads Worker (started through the engine's boot.mjs) echoes
 * each batch of placeHold commands with one fresh `held` outcome (a HoldView)
 * per command; no actor, no journal. One batch is in flight at a time (ping-
 * pong), so a batch's round trip is its latency and the two threads never
 * work at once.
 *
 * CPU: process.cpuUsage() around each case (every thread of the process, GC
 * included), and each thread's own busy time from
 * performance.eventLoopUtilization() (main, and the worker's, asked for over
 * the same port).
 *
 * Usage: node --import tsx bench/src/wire_micro.ts [seconds per case=1] [sizes=1,10,100,1000]
 */

export type WireCase = {
  /** `<wire>-<batch size>`, e.g. `clone-100`. */
  name: string;
  wire: Wire;
  batchSize: number;
  batches: number;
  ms: number;
  batchesPerSecond: number;
  commandsPerSecond: number;
  /** Round trip of one batch, in ms. */
  p50Ms: number;
  p99Ms: number;
  /** process.cpuUsage() over the case (all threads), per batch and per command, in µs. */
  cpuUsPerBatch: number;
  cpuUsPerCommand: number;
  /** Busy time of each thread's event loop, per batch, in µs. */
  mainBusyUsPerBatch: number;
  workerBusyUsPerBatch: number;
  /** Size of one msgpack frame each way, in bytes; null for clone. */
  frameBytesOut: number | null;
  frameBytesBack: number | null;
};

export type WireMicroResult = { cases: WireCase[]; secondsPerCase: number; warmupSecondsPerCase: number };

export const defaultBatchSizes = [1, 10, 100, 1000];
const wires: Wire[] = ['clone', 'msgpack'];

// ---- the worker side -----------------------------------------------------

type Control = { t: 'elu' } | { t: 'bye' };
type ControlAnswer = { t: 'elu'; elu: EventLoopUtilization };

/** Hold ids come from a pool: the actor's randomUUID is the same cost for both codecs, and not what is measured. */
const holdIds = Array.from({ length: 4096 }, () => randomUUID());
let nextHold = 0;

function held(cmds: PlaceHold[]): Outcome[] {
  const now = Date.now();
  const outcomes: Outcome[] = new Array(cmds.length);
  for (let i = 0; i < cmds.length; i++) {
    const cmd = cmds[i]!;
    const hold: HoldView = {
      holdId: holdIds[nextHold++ & 4095]!,
      eventId: cmd.eventId,
      typeId: cmd.typeId,
      qty: cmd.qty,
      buyer: cmd.buyer,
      price: 5_000,
      currency: 'EUR',
      status: 'held',
      expiresAt: now + 480_000,
    };
    outcomes[i] = { ok: true, kind: 'held', hold };
  }
  return outcomes;
}

function echo(): void {
  const port = parentPort!;
  port.on('message', (message: ToWorker | Control) => {
    switch (message.t) {
      case 'cmds': {
        const ids: number[] = [];
        const cmds: PlaceHold[] = [];
        forEachCommand(message.batch, (id, cmd) => {
          ids.push(id);
          cmds.push(cmd as PlaceHold);
        });
        port.postMessage({ t: 'answers', batch: flattenAnswers(ids, held(cmds)) } satisfies FromWorker);
        return;
      }
      case 'cmdsPacked': {
        const { ids, cmds } = unpack<{ ids: number[]; cmds: PlaceHold[] }>(message.frame);
        const frame = pack({ ids, outcomes: held(cmds) });
        port.postMessage({ t: 'answersPacked', frame } satisfies FromWorker, [frame.buffer as ArrayBuffer]);
        return;
      }
      case 'elu':
        port.postMessage({ t: 'elu', elu: performance.eventLoopUtilization() } satisfies ControlAnswer);
        return;
      case 'bye':
        port.close();
        return;
    }
  });
}

if (!isMainThread && (workerData as { wireMicro?: boolean } | null)?.wireMicro) echo();

// ---- the main side -------------------------------------------------------

function startWorker(): Promise<Worker> {
  const entry = import.meta.url;
  const boot = new URL('../../engine/src/worker/boot.mjs', import.meta.url);
  const worker = new Worker(boot, { workerData: { entry, wireMicro: true }, name: 'tickr-wire-micro' });
  // boot.mjs loads tsx and then this file: the first answer says it is listening.
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    const ping = setInterval(() => worker.postMessage({ t: 'elu' } satisfies Control), 20);
    worker.once('message', () => {
      clearInterval(ping);
      worker.off('error', reject);
      resolve(worker);
    });
  });
}

/** Commands as the edge makes them: one event and type, a buyer and an idempotency key each. */
function makeCommands(count: number): PlaceHold[] {
  const eventId = randomUUID();
  const typeId = randomUUID();
  return Array.from({ length: count }, () => ({ kind: 'placeHold', eventId, typeId, qty: 1, buyer: randomUUID(), key: randomUUID() }));
}

class Session {
  private onMessage: ((message: FromWorker | ControlAnswer) => void) | null = null;
  private nextId = 1;

  constructor(readonly worker: Worker) {
    worker.on('message', (message: FromWorker | ControlAnswer) => this.onMessage?.(message));
  }

  workerElu(): Promise<EventLoopUtilization> {
    return new Promise((resolve) => {
      this.onMessage = (message) => {
        if (message.t === 'elu') resolve(message.elu);
      };
      this.worker.postMessage({ t: 'elu' } satisfies Control);
    });
  }

  /** Batches back to back for `seconds`; with timing off, a warm-up. */
  run(wire: Wire, cmds: PlaceHold[], seconds: number): Promise<{ batches: number; rtts: Float64Array; frameOut: number; frameBack: number }> {
    const worker = this.worker;
    let rtts = new Float64Array(1 << 14);
    let batches = 0;
    let frameOut = 0;
    let frameBack = 0;
    let sentAt = 0;
    const deadline = performance.now() + seconds * 1000;
    return new Promise((resolve, reject) => {
      const send = () => {
        // A fresh ids array per batch, as pool.ts makes one per turn; the commands are the edge's objects.
        const ids = new Array<number>(cmds.length);
        for (let i = 0; i < ids.length; i++) ids[i] = this.nextId++;
        sentAt = performance.now();
        if (wire === 'msgpack') {
          const frame = pack({ ids, cmds });
          frameOut = frame.byteLength;
          worker.postMessage({ t: 'cmdsPacked', frame } satisfies ToWorker, [frame.buffer as ArrayBuffer]);
        } else {
          worker.postMessage({ t: 'cmds', batch: flattenCommands(ids, cmds) } satisfies ToWorker);
        }
      };
      const settle = (ids: number[], outcomes: Outcome[]) => {
        const at = performance.now();
        // Touch every answer, as pool.ts does when it resolves its callers.
        let ok = 0;
        for (let i = 0; i < ids.length; i++) if (outcomes[i]!.ok) ok++;
        if (ok !== cmds.length) return reject(new Error(`expected ${cmds.length} held outcomes, got ${ok}`));
        if (batches === rtts.length) {
          const grown = new Float64Array(rtts.length * 2);
          grown.set(rtts);
          rtts = grown;
        }
        rtts[batches++] = at - sentAt;
        if (at < deadline) send();
        else resolve({ batches, rtts: rtts.subarray(0, batches), frameOut, frameBack });
      };
      this.onMessage = (message) => {
        if (message.t === 'answers') {
          const ids: number[] = [];
          const outcomes: Outcome[] = [];
          forEachAnswer(message.batch, (id, outcome) => {
            ids.push(id);
            outcomes.push(outcome);
          });
          settle(ids, outcomes);
        }
        else if (message.t === 'answersPacked') {
          frameBack = message.frame.byteLength;
          const { ids, outcomes } = unpack<{ ids: number[]; outcomes: Outcome[] }>(message.frame);
          settle(ids, outcomes);
        }
      };
      send();
    });
  }

  async measure(wire: Wire, batchSize: number, seconds: number, warmupSeconds: number): Promise<WireCase> {
    const cmds = makeCommands(batchSize);
    await this.run(wire, cmds, warmupSeconds);
    const workerBefore = await this.workerElu();
    const mainBefore = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { batches, rtts, frameOut, frameBack } = await this.run(wire, cmds, seconds);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const mainElu = performance.eventLoopUtilization(mainBefore);
    const workerAfter = await this.workerElu();
    const sorted = rtts.slice().sort();
    const cpuUs = cpu.user + cpu.system;
    const mainBusyMs = mainElu.active;
    const workerBusyMs = workerAfter.active - workerBefore.active;
    return {
      name: `${wire}-${batchSize}`,
      wire,
      batchSize,
      batches,
      ms,
      batchesPerSecond: (batches * 1000) / ms,
      commandsPerSecond: (batches * batchSize * 1000) / ms,
      p50Ms: percentileOfSorted(sorted, 50) ?? 0,
      p99Ms: percentileOfSorted(sorted, 99) ?? 0,
      cpuUsPerBatch: cpuUs / batches,
      cpuUsPerCommand: cpuUs / (batches * batchSize),
      mainBusyUsPerBatch: (mainBusyMs * 1000) / batches,
      workerBusyUsPerBatch: (workerBusyMs * 1000) / batches,
      frameBytesOut: wire === 'msgpack' ? frameOut : null,
      frameBytesBack: wire === 'msgpack' ? frameBack : null,
    };
  }
}

/**
 * Every batch size, both codecs, on one worker. Sizes run in turn, and within
 * a size clone and msgpack alternate (`rounds` times, the better kept), so
 * that a noisy neighbour hurts both alike.
 */
export async function runWireMicro(opts: { seconds?: number; warmupSeconds?: number; batchSizes?: number[]; rounds?: number } = {}): Promise<WireMicroResult> {
  const seconds = opts.seconds ?? 1;
  const warmupSeconds = opts.warmupSeconds ?? 0.25;
  const rounds = opts.rounds ?? 2;
  const worker = await startWorker();
  const session = new Session(worker);
  const cases: WireCase[] = [];
  try {
    for (const batchSize of opts.batchSizes ?? defaultBatchSizes) {
      const best = new Map<Wire, WireCase>();
      for (let round = 0; round < rounds; round++) {
        // Alternate which codec goes first, so neither always runs on a warmer (or busier) machine.
        for (const wire of round % 2 === 0 ? wires : [...wires].reverse()) {
          const result = await session.measure(wire, batchSize, seconds / rounds, warmupSeconds);
          const kept = best.get(wire);
          if (!kept || result.batchesPerSecond > kept.batchesPerSecond) best.set(wire, result);
        }
      }
      for (const wire of wires) cases.push(best.get(wire)!);
    }
  } finally {
    worker.postMessage({ t: 'bye' } satisfies Control);
    await worker.terminate();
  }
  return { cases, secondsPerCase: seconds, warmupSecondsPerCase: warmupSeconds };
}

const fmt = (n: number | null, digits = 0) => (n === null ? '' : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function renderWireTable(result: WireMicroResult): string {
  const head = ['case', 'batches/s', 'commands/s', 'p50 ms', 'p99 ms', 'CPU µs/batch', 'CPU µs/cmd', 'main busy µs/batch', 'worker busy µs/batch', 'frame B out/back'];
  const rows = result.cases.map((c) => [
    c.name,
    fmt(c.batchesPerSecond),
    fmt(c.commandsPerSecond),
    fmt(c.p50Ms, 3),
    fmt(c.p99Ms, 3),
    fmt(c.cpuUsPerBatch, 1),
    fmt(c.cpuUsPerCommand, 2),
    fmt(c.mainBusyUsPerBatch, 1),
    fmt(c.workerBusyUsPerBatch, 1),
    c.frameBytesOut === null ? '' : `${c.frameBytesOut}/${c.frameBytesBack}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 1);
  const batchSizes = process.argv[3] ? process.argv[3].split(',').map(Number) : defaultBatchSizes;
  const result = await runWireMicro({ seconds, batchSizes });
  console.log(renderWireTable(result));
  console.log(`${seconds} s per case (best of 2 alternating halves), ping-pong: one batch in flight; CPU = process.cpuUsage(), all threads`);
}
