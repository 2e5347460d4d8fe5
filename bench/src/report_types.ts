import type { LatencyPercentiles } from './autocannon_run.ts';

/**
 * The shapes of a bench report, apart from report.ts (which writes them) so
 * that report_html.ts and the scenarios can name them without importing the
 * writer: report.ts imports report_html.ts, never the other way round.
 */

export type Machine = { cores: number; cpuModel: string; node: string; platform: string };

/** One measured load: a row of the table. Latencies in ms; cpuUsPerReq in CPU µs per answered request. */
export type ResultRow = {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUsPerReq: number | null;
  non2xx?: number;
  requests?: number;
  connections?: number;
  /** Of cpuUsPerReq, the part spent in PostgreSQL processes below the node (embedded only). */
  pgCpuUsPerReq?: number | null;
  /** Tickr rows: this row's rps over hello-world's at the same connection count. */
  ratioToHelloWorld?: number | null;
  /**
   * Contender rows (hello-world and the baselines): Tickr's rps over this row's,
   * at the same connection count; 20 reads "Tickr answered 20 times as many".
   */
  tickrRatio?: number | null;
  /**
   * The load generator's CPU per answered request (autocannon in the bench
   * process), apart from cpuUsPerReq: on a 2-core box it runs on the same cores.
   */
  clientCpuUsPerReq?: number | null;
  /** redis-lua rows: of cpuUsPerReq, the part spent in redis-server (the private one only). */
  redisCpuUsPerReq?: number | null;
  statusCodes?: Record<string, number>;
  /** Answers in each second of the measured run (autocannon loads): the throughput-over-time chart. */
  timeline?: number[];
  /** Latency percentiles in ms of the measured run: the latency chart. */
  latency?: LatencyPercentiles;
};

export type Check = { name: string; ok: boolean; detail: string };

export type ScenarioReport = {
  scenario: string;
  results: ResultRow[];
  checks: Check[];
  /** Single figures that are not a load row (e.g. the in-process actor micro-benchmark). */
  figures: Record<string, number | string | null>;
  notes: string[];
  /** The few figures a scenario leads with: first keys of the JSON line (e.g. queue: waiters, deliveryP99Ms). */
  headline?: Record<string, number | string | null>;
};

export type Report = ScenarioReport & { machine: Machine; date: string };
