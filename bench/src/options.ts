import { parseArgs } from 'node:util';
import { baselineNames, defaultBaselines, isBaselineName, type BaselineName } from './baselines/names.ts';
import type { BenchOptions } from './scenarios/index.ts';

/**
 * The command line, read once: `npm run bench -- <scenario> [options]`.
 * Apart from cli.ts so that it can be tested without running a bench.
 */

export const usage = `usage: npm run bench -- <scenario> [options]

options:
  --json               print the report as one JSON object, the last line of stdout
  --duration S         seconds of each measured run (default 10; --quick: 3)
  --connections N,...  concurrent connections, one run per value (holds: 10,100,1000; others: 100;
                       --quick: 100)
  --quick              short runs and small stocks, for a smoke test (\`all --quick\`: every scenario, ~5 min on 2 cores)
  --capacity N         tickets on sale: holds 5000000 (--quick 200000); tickets 10000 (500), checkin 40000 (4000),
                       flash-sale 2000 (200, as many participants)
  --participants N     flash-sale: participants (default: as many as --capacity), each wanting 2 tickets
  --nodes N            forward: nodes in the cluster (default 2); queue: waiters spread over N nodes in cluster mode
  --waiters N          queue: WebSocket waiters (default TICKR_BENCH_WAITERS or 100000; --quick 2000)
  --kills K            forward: kill -9 failovers measured (default 10; --quick: 3)
  --baselines a,b,...  holds: peer baselines run after Tickr (default ${defaultBaselines.join(',')});
                       one of ${baselineNames.join(', ')}
  --no-baselines       holds: Tickr and hello-world only; queue --nodes: Tickr without its uWS floor
  --redis-durable      holds: add redis-lua-aof (Redis with appendfsync always; in the default set already)
  --profile            holds: Tickr alone at the first connection count, the node under V8's CPU profiler and
                       PostgreSQL's CPU per connection role; writes bench/results/profile-holds.md
  --profile-label L    holds --profile: the section of profile-holds.md to write (default "current")
  --cpu-prof DIR       tickets, flash-sale: the node runs under node --cpu-prof, a .cpuprofile per thread into DIR

DATABASE_URL, when set, is passed to the node; otherwise it embeds PostgreSQL.`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string, max: number, min = 1): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** `--baselines a,b` (or the default), each name once, in the order given; `--redis-durable` adds redis-lua-aof. */
function baselinesOf(raw: string | undefined, redisDurable: boolean): BaselineName[] {
  const names = raw === undefined ? [...defaultBaselines] : raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !isBaselineName(n));
  if (unknown.length > 0) throw new UsageError(`unknown baseline ${unknown.join(', ')}: choose from ${baselineNames.join(', ')}`);
  const chosen = [...new Set(names as BaselineName[])];
  if (redisDurable && !chosen.includes('redis-lua-aof')) chosen.push('redis-lua-aof');
  return chosen;
}

/**
 * holds compares contenders at three loads (a few users, a crowd, a stampede);
 * a smoke run needs one. The other scenarios measure one load unless told.
 */
export function defaultConnections(scenario: string | undefined, quick: boolean): number[] {
  if (scenario === 'holds' && !quick) return [10, 100, 1000];
  return [100];
}

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): { scenario: string | undefined; json: boolean; options: BenchOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      capacity: { type: 'string' },
      participants: { type: 'string' },
      nodes: { type: 'string' },
      waiters: { type: 'string' },
      kills: { type: 'string' },
      baselines: { type: 'string' },
      'no-baselines': { type: 'boolean', default: false },
      'redis-durable': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'profile-label': { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`one scenario at a time, got ${positionals.join(' ')}`);
  const quick = values.quick ?? false;
  if (values['no-baselines'] && values.baselines !== undefined) throw new UsageError('--baselines and --no-baselines: one or the other');
  const options: BenchOptions = {
    quick,
    durationS: values.duration ? positiveInt('--duration', values.duration, 3600) : quick ? 3 : 10,
    warmupS: quick ? 1 : 2,
    connections: values.connections ? values.connections.split(',').map((n) => positiveInt('--connections', n.trim(), 10_000)) : defaultConnections(positionals[0], quick),
    // The engine's capacityMax is 10 million.
    ...(values.capacity ? { capacity: positiveInt('--capacity', values.capacity, 10_000_000), capacityGiven: true } : { capacity: quick ? 200_000 : 5_000_000 }),
    // A cluster needs two nodes for anything to be forwarded; more than 8 on one box measures the box.
    ...(values.participants ? { participants: positiveInt('--participants', values.participants, 100_000) } : {}),
    ...(values.nodes ? { nodes: positiveInt('--nodes', values.nodes, 8, 2) } : {}),
    ...(values.waiters ? { waiters: positiveInt('--waiters', values.waiters, 1_000_000) } : {}),
    ...(values.kills ? { kills: positiveInt('--kills', values.kills, 100) } : {}),
    baselines: values['no-baselines'] ? [] : baselinesOf(values.baselines, values['redis-durable'] ?? false),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(values.profile ? { profile: true, profileLabel: values['profile-label'] ?? 'current' } : {}),
    ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
  };
  if (values['profile-label'] !== undefined && !values.profile) throw new UsageError('--profile-label goes with --profile');
  return { scenario: values.help ? undefined : positionals[0], json: values.json ?? false, options };
}
