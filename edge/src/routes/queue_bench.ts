import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HttpError } from '../http/errors.ts';
import { isDirectLoopback } from '../http/operator_access.ts';
import type { Router } from '../http/route.ts';

/**
 * `GET /bench/memory`: this process's memory after a full garbage collection,
 * with the WebSocket waiters it holds, so the queue benchmark can tell the
 * waiters' cost from garbage (RSS alone swings by tens of MB as V8 collects).
 * Mounted only with TICKR_BENCH_ROUTES, and answered only to a process on
 * this machine talking to the edge directly (the benchmark): a forced GC
 * stops the world, so a stranger's requests would stall every buyer.
 */
export function mountQueueBench(router: Router, opts: { waiters: () => number; takePublishMsMax: () => number; takeTickSources: () => { pushed: number; polled: number } }): void {
  let gc: (() => void) | undefined;
  router.route('get', '/bench/memory', (ctx) => {
    if (!isDirectLoopback(ctx)) {
      throw new HttpError(403, 'forbidden', '/bench/memory answers only a benchmark on this machine talking to the edge directly (not through a proxy): it forces a garbage collection.');
    }
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
    const m = process.memoryUsage();
    return { status: 200, body: { waiters: opts.waiters(), publishMsMax: opts.takePublishMsMax(), ticks: opts.takeTickSources(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers } };
  });
}
