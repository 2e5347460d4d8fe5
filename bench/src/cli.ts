import { parseArgs } from 'node:util';
import { ServerStartError, stopAll } from './server.ts';
import { ApiError } from './tickr_api.ts';
import { buildReport, jsonLine, progress, renderTable, writeResults } from './report.ts';
import { findScenario, scenarios, type BenchOptions } from './scenarios/index.ts';

/**
 * `npm run bench -- <scenario> [--json] [--duration S] [--connections N[,N...]] [--quick] [--capacity N]`
 *
 * Exit codes: 0 done and every check held; 1 a check failed or the run broke;
 * 2 the command line was wrong (unknown scenario, bad option).
 */

const usage = `usage: npm run bench -- <scenario> [options]

options:
  --json               print the report as one JSON object, the last line of stdout
  --duration S         seconds of each measured run (default 10; --quick: 3)
  --connections N,...  concurrent connections, one run per value (default 100)
  --quick              short runs, for a smoke test
  --capacity N         tickets on sale in the bench event (default 5000000)

DATABASE_URL, when set, is passed to the node; otherwise it embeds PostgreSQL.`;

function listScenarios(): string {
  return scenarios.map((s) => `  ${s.name.padEnd(12)}${s.load ? '' : '(not yet available) '}${s.summary}`).join('\n');
}

class UsageError extends Error {}

function positiveInt(name: string, raw: string, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return value;
}

function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): { scenario: string | undefined; json: boolean; options: BenchOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      capacity: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`one scenario at a time, got ${positionals.join(' ')}`);
  const quick = values.quick ?? false;
  const options: BenchOptions = {
    quick,
    durationS: values.duration ? positiveInt('--duration', values.duration, 3600) : quick ? 3 : 10,
    warmupS: quick ? 1 : 2,
    connections: values.connections ? values.connections.split(',').map((n) => positiveInt('--connections', n.trim(), 10_000)) : [100],
    // The engine's capacityMax is 10 million.
    capacity: values.capacity ? positiveInt('--capacity', values.capacity, 10_000_000) : 5_000_000,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  };
  return { scenario: values.help ? undefined : positionals[0], json: values.json ?? false, options };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const entry = parsed.scenario === undefined ? undefined : findScenario(parsed.scenario);
  if (!entry) {
    const what = parsed.scenario === undefined ? '' : `unknown scenario "${parsed.scenario}"\n\n`;
    process.stderr.write(`${what}${usage}\n\nscenarios:\n${listScenarios()}\n`);
    return 2;
  }
  if (!entry.load) {
    process.stderr.write(`scenario "${entry.name}" is not yet available: it comes with its own issue.\n\nscenarios:\n${listScenarios()}\n`);
    return 2;
  }
  const scenario = await entry.load();
  const report = buildReport(await scenario.run(parsed.options));
  const files = await writeResults(report);
  progress(`wrote ${files.json} and ${files.md}`);
  process.stdout.write(renderTable(report) + '\n');
  if (parsed.json) process.stdout.write(jsonLine(report) + '\n');
  return report.checks.every((c) => c.ok) ? 0 : 1;
}

// Interrupted: stop the node (and its PostgreSQL) before leaving, not after.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A run cut short by a signal fails on its way out; the signal handler decides how we leave.
    if (interrupted) return;
    // Our own failures say what went wrong in their message; anything else is a bug, with its stack.
    const expected = error instanceof ServerStartError || error instanceof ApiError;
    const text = error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error);
    process.stderr.write(`bench failed: ${text}\n`);
    process.exit(1);
  },
);
