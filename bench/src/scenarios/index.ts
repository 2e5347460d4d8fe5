import type { BaselineName } from '../baselines/names.ts';
import type { ScenarioReport } from '../report.ts';

/** What every scenario is given: the command line, read once by cli.ts. */
export type BenchOptions = {
  durationS: number;
  warmupS: number;
  connections: number[];
  quick: boolean;
  capacity: number;
  /** True when --capacity was given: scenarios with their own default (tickets, flash-sale) use it then. */
  capacityGiven?: boolean;
  /** `flash-sale`: participants (--participants); unset, as many as the capacity. */
  participants?: number;
  /** `forward`: nodes in the cluster (--nodes); unset, the scenario's default. */
  nodes?: number;
  /** `queue`: WebSocket waiters (--waiters); unset, TICKR_BENCH_WAITERS or the scenario's default. */
  waiters?: number;
  /** `forward`: kill -9 failovers to measure (--kills); unset, the scenario's default. */
  kills?: number;
  /** `holds`: the peer baselines to run after Tickr at each connection count (`--baselines`, `--no-baselines`); unset, the default ones. */
  baselines?: BaselineName[];
  /** From the environment: an external PostgreSQL; unset, the node embeds one. */
  databaseUrl?: string;
  /** `holds --profile`: Tickr alone under V8's profiler, PostgreSQL per role; writes bench/results/profile-holds.md. */
  profile?: boolean;
  /** The section of profile-holds.md this run writes (`--profile-label`); default "current". */
  profileLabel?: string;
  /** `--cpu-prof DIR`: the node of tickets and flash-sale runs under `node --cpu-prof`, one .cpuprofile per thread into DIR. */
  cpuProfDir?: string;
};

export type Scenario = { run: (opts: BenchOptions) => Promise<ScenarioReport> };

export type ScenarioEntry = {
  name: string;
  summary: string;
  /** Absent while the scenario is not written yet: it is listed, honestly, as such. */
  load?: () => Promise<Scenario>;
};

/** Every scenario by name; a new one is one entry here and one file beside this one. */
export const scenarios: ScenarioEntry[] = [
  {
    name: 'holds',
    summary: 'POST /api/events/:id/holds against the uWS hello-world of the same node; oversell check; actor micro-benchmark',
    load: async () => (await import('./holds.ts')).holds,
  },
  {
    name: 'wire',
    summary: 'main thread <-> shard worker hop alone, in-process: structured clone vs msgpack frames, batches of 1-1000',
    load: async () => (await import('./wire.ts')).wire,
  },
  { name: 'queue', summary: 'many WebSocket waiters in a drop queue, head ticks and admission', load: async () => (await import('./queue.ts')).queue },
  {
    name: 'tickets',
    summary: 'a sell-out paid at once (simulated provider): payment-confirmed -> tickets-issue -> email-send; tickets issued/s, backlog drain time',
    load: async () => (await import('./tickets.ts')).tickets,
  },
  {
    name: 'checkin',
    summary: 'two gates scanning the same signed tickets at once: check-ins/s; no ticket admitted twice',
    load: async () => (await import('./checkin.ts')).checkin,
  },
  {
    name: 'forward',
    summary: 'two nodes: holds direct to the shard owner vs forwarded by another node; kill -9 failover time; oversell check',
    load: async () => (await import('./forward.ts')).forward,
  },
  {
    name: 'flash-sale',
    summary: 'the whole drop: WebSocket queue, admission, hold, pay, tickets; per-stage rates, time to sell out; database checks',
    load: async () => (await import('./flash_sale.ts')).flashSale,
  },
];

export function findScenario(name: string): ScenarioEntry | undefined {
  return scenarios.find((s) => s.name === name);
}
