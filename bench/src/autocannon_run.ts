import autocannon, { type RawRequest } from 'autocannon';

/**
 * One load run with autocannon, in this process, without pipelining: each
 * connection has at most one request in flight, as a browser would.
 * autocannon is single-threaded here, so on a small machine it competes with
 * the server for CPU; the report says how many cores it had.
 */

export type LoadRequest = { headers?: Record<string, string>; body?: string };

export type LoadSpec = {
  url: string;
  method?: 'GET' | 'POST';
  path: string;
  /** Sent with every request; makeRequest's headers are added on top. */
  headers?: Record<string, string>;
  /** Sent with every request unless makeRequest gives one. */
  body?: string;
  connections: number;
  durationS: number;
  /** Load before the measured run, thrown away; 0 skips it. */
  warmupS?: number;
  /** Called for every request: unique headers (Idempotency-Key) or bodies go here. */
  makeRequest?: (seq: number) => LoadRequest;
  /** Seconds before a request counts as timed out (an error). */
  timeoutS?: number;
};

export type LoadResult = {
  /** Answered requests per second, whatever their status. */
  rps: number;
  /** Latency percentiles in milliseconds, over every answered request. */
  p50: number;
  p99: number;
  /** Connection errors and timeouts: requests that got no answer. */
  errors: number;
  non2xx: number;
  /** Answered requests. */
  requests: number;
  statusCodes: Record<string, number>;
  durationS: number;
  /** Answers in each second of the run, in order: the throughput-over-time chart. */
  timeline: number[];
  /** Latency percentiles in ms (p50 ... p99.9, max), for the latency chart. */
  latency: LatencyPercentiles;
  /** runLoad: the thrown-away warm-up's status codes (its 201s count as held too). */
  warmupStatusCodes?: Record<string, number>;
  /**
   * CPU µs this process (autocannon, the load generator) spent over the run,
   * user and system. On a small machine it shares the cores with the server,
   * so it bounds what any server can answer there.
   */
  clientCpuUs: number;
};

export type LatencyPercentiles = { p50: number; p75: number; p90: number; p97_5: number; p99: number; p99_9: number; max: number };

/** Runs the warm-up (if any), then the measured load; `around` wraps only the measured one. */
export async function runLoad(spec: LoadSpec, around?: { before?: () => void; after?: () => void }): Promise<LoadResult> {
  const warmup = (spec.warmupS ?? 0) > 0 ? await runOnce({ ...spec, durationS: spec.warmupS! }) : null;
  around?.before?.();
  try {
    const load = await runOnce(spec);
    return warmup ? { ...load, warmupStatusCodes: warmup.statusCodes } : load;
  } finally {
    around?.after?.();
  }
}

export async function runOnce(spec: LoadSpec): Promise<LoadResult> {
  const method = spec.method ?? 'GET';
  const make = spec.makeRequest;
  let seq = 0;
  // setupRequest runs for every request after a connection's first one; the
  // first is built when the connection is set up, and also goes through it.
  const setupRequest = make
    ? (request: RawRequest): RawRequest => {
        const extra = make(seq++);
        return {
          ...request,
          headers: { ...request.headers, ...extra.headers },
          ...(extra.body === undefined ? {} : { body: extra.body }),
        };
      }
    : undefined;
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    pipelining: 1,
    timeout: spec.timeoutS ?? 10,
    requests: [
      {
        method,
        path: spec.path,
        headers: spec.headers ?? {},
        ...(spec.body === undefined ? {} : { body: spec.body }),
        ...(setupRequest ? { setupRequest } : {}),
      },
    ],
  });
  // Our own per-second buckets: autocannon's 'tick' counter races its sampling interval.
  const timeline: number[] = [];
  let answered = 0;
  instance.on('response', () => void answered++);
  const second = setInterval(() => {
    timeline.push(answered);
    answered = 0;
  }, 1000);
  let result: Awaited<ReturnType<typeof autocannon>>;
  const cpuBefore = process.cpuUsage();
  try {
    result = await instance;
  } finally {
    clearInterval(second);
  }
  const cpu = process.cpuUsage(cpuBefore);
  // The run may end a moment before the last interval fires: those answers are its last second.
  if (answered > 0 && timeline.length < spec.durationS) timeline.push(answered);
  return toLoadResult(result, timeline, cpu.user + cpu.system);
}

function toLoadResult(result: Awaited<ReturnType<typeof autocannon>>, timeline: number[], clientCpuUs: number): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats)) statusCodes[code] = stat.count;
  const requests = result.requests.total;
  const durationS = result.duration;
  const l = result.latency;
  return {
    rps: durationS > 0 ? requests / durationS : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    requests,
    statusCodes,
    durationS,
    timeline,
    latency: { p50: l.p50, p75: l.p75, p90: l.p90, p97_5: l.p97_5, p99: l.p99, p99_9: l.p99_9, max: l.max },
    clientCpuUs,
  };
}
