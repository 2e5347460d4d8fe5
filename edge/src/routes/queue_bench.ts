import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Router } from '../http/route.ts';

/**
 * `GET /bench/memory`: this process's memory after a full garbage collection,
 * with the WebSocket waiters it holds, so the queue benchmark can tell the
 * waiters' cost from garbage (RSS alone swings by tens of MB as V8 collects).
 * Mounted only with TICKR_BENCH_ROUTES: a forced GC stops the world.
 */
export function mountQueueBench(router: Router, opts: { waiters: () => number; takePublishMsMax: () => number }): void {
  let gc: (() => void) | undefined;
  router.route('get', '/bench/memory', () => {
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
    const m = process.memoryUsage();
    return { status: 200, body: { waiters: opts.waiters(), publishMsMax: opts.takePublishMsMax(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers } };
  });
}
