import type { Router } from '../http/route.ts';

const hello: { status: number; body: string } = { status: 200, body: 'hello' };

/** The floor of the edge for benchmarks: routing and one write, nothing else. Mounted only with TICKR_BENCH_ROUTES. */
export function mountBench(router: Router): void {
  router.route('get', '/bench/hello', () => hello);
}
