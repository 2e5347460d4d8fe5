import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { durablePool, type Contender, type ContenderOptions, type HoldOutcome } from './contenders.ts';
import { flushesInFlightMax, GroupCommit, loadStock, type FloorCommand, type FloorOutcome } from './group_commit.ts';

/**
 * `group-commit-worker`: the floor of group_commit.ts in the shape Tickr is
 * bound to, its inventory actor in a worker thread. The counters and the group
 * commit live in one worker; the front's thread sends the holds of one
 * event-loop turn in one message, and the answers come back one message per
 * released flush (sold-out and replayed ones per message received). What it
 * costs over `group-commit` is the hop.
 */

type Init = { groupCommitFloor: { databaseUrl: string; broken: boolean } };
/** Holds numbered by the front; 'close': finish the flushes, then answer 'closed'. */
type ToWorker = [number, FloorCommand][] | 'close';
type FromWorker = [number, FloorOutcome][] | 'ready' | 'closed';

async function runWorker(init: Init['groupCommitFloor']): Promise<void> {
  const port = parentPort!;
  const db = durablePool(init.databaseUrl, flushesInFlightMax);
  const floor = new GroupCommit<number>(db, await loadStock(db), (answers) => port.postMessage(answers satisfies FromWorker), init.broken);
  port.on('message', (message: ToWorker) => {
    if (message !== 'close') return floor.submit(message);
    void floor.idle().then(async () => {
      await db.end();
      port.postMessage('closed' satisfies FromWorker);
    });
  });
  port.postMessage('ready' satisfies FromWorker);
}

if (!isMainThread && (workerData as Partial<Init> | null)?.groupCommitFloor) await runWorker((workerData as Init).groupCommitFloor);

/** The front's side: starts the worker once its stock is loaded. */
export async function groupCommitWorkerContender(url: string, opts: ContenderOptions = {}): Promise<Contender & { close: () => Promise<void> }> {
  const boot = new URL('../../../engine/src/worker/boot.mjs', import.meta.url);
  const init: Init = { groupCommitFloor: { databaseUrl: url, broken: opts.broken === true } };
  const worker = new Worker(boot, { workerData: { entry: import.meta.url, ...init }, name: 'bench-group-commit' });
  const waiting = new Map<number, { resolve: (o: HoldOutcome) => void; reject: (e: Error) => void }>();
  let onControl: (m: 'ready' | 'closed') => void = () => {};
  worker.on('message', (message: FromWorker) => {
    if (typeof message === 'string') return onControl(message);
    for (const [id, outcome] of message) {
      const hold = waiting.get(id)!;
      waiting.delete(id);
      if (outcome === 'failed') hold.reject(new Error('not held: its flush failed or the type is unknown'));
      else hold.resolve(outcome);
    }
  });
  const control = (want: 'ready' | 'closed') =>
    new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      onControl = (m) => m === want && resolve();
    });
  await control('ready');
  worker.on('error', (error) => {
    console.error(`group-commit worker failed: ${error.message}`);
    process.exit(1);
  });

  let nextId = 0;
  let batch: [number, FloorCommand][] = [];
  const send = () => {
    if (batch.length === 0) return;
    worker.postMessage(batch satisfies ToWorker);
    batch = [];
  };
  return {
    hold: (typeId, quantity, key) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        if (batch.length === 0) setImmediate(send);
        batch.push([id, { typeId, quantity, key }]);
      }),
    close: async () => {
      const closed = control('closed');
      // The holds of this turn first: the worker finishes what it has, then closes.
      if (batch.length > 0) send();
      worker.postMessage('close' satisfies ToWorker);
      await closed;
      await worker.terminate();
    },
  };
}
