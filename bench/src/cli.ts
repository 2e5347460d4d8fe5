import { ServerStartError, stopAll } from './server.ts';
import { ApiError } from './tickr_api.ts';
import { planSteps } from './progress.ts';
import { buildReport, jsonLine, progress, renderTable, writeResults } from './report.ts';
import { parseCommandLine, usage } from './options.ts';
import { findScenario, scenarios, type ScenarioEntry } from './scenarios/index.ts';

/**
 * `npm run bench -- <scenario> [--json] [--duration S] [--connections N[,N...]] [--quick] [--capacity N] [--nodes N] [--kills K]
 *   [--baselines a,b,c | --no-baselines] [--redis-durable]`
 * (options.ts reads them)
 *
 * Exit codes: 0 done and every check held; 1 a check failed or the run broke;
 * 2 the command line was wrong (unknown scenario, bad option).
 */

function listScenarios(): string {
  const all = '  all         every scenario below, one after the other (`all --quick`: a smoke run of everything)';
  return [all, ...scenarios.map((s) => `  ${s.name.padEnd(12)}${s.load ? '' : '(not yet available) '}${s.summary}`)].join('\n');
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (parsed.scenario === 'all') return runAll(parsed);
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
  return runOne(entry as Loadable, parsed);
}

type Parsed = ReturnType<typeof parseCommandLine>;

type Loadable = ScenarioEntry & { load: NonNullable<ScenarioEntry['load']> };

async function runOne(entry: Loadable, parsed: Parsed): Promise<number> {
  // Step numbers count this scenario's loads only; a scenario that plans none shows none.
  planSteps(0);
  const scenario = await entry.load();
  const report = buildReport(await scenario.run(parsed.options));
  const files = await writeResults(report);
  progress(`wrote ${files.json}, ${files.md} and ${files.html}`);
  process.stdout.write(renderTable(report) + '\n');
  if (parsed.json) process.stdout.write(jsonLine(report) + '\n');
  return report.checks.every((c) => c.ok) ? 0 : 1;
}

/**
 * `all`: every available scenario, one after the other, each with its own
 * report files (with --json, one line each). A scenario that breaks is
 * reported and the others still run; the exit code is the worst.
 */
async function runAll(parsed: Parsed): Promise<number> {
  let worst = 0;
  const started = Date.now();
  const times: string[] = [];
  for (const entry of scenarios) {
    if (!entry.load) continue;
    progress(`=== ${entry.name} ===`);
    const began = Date.now();
    // Each scenario gets its own defaults (holds: three connection counts) unless the command line set them.
    const options = parseCommandLine([entry.name, ...process.argv.slice(2).filter((a) => a !== 'all')]).options;
    try {
      worst = Math.max(worst, await runOne(entry as Loadable, { ...parsed, options }));
    } catch (error) {
      await stopAll();
      progress(`${entry.name} failed: ${(error as Error).message}`);
      worst = 1;
    }
    times.push(`${entry.name} ${Math.round((Date.now() - began) / 1000)} s`);
  }
  progress(`all scenarios in ${Math.round((Date.now() - started) / 1000)} s (${times.join(', ')})`);
  return worst;
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
    // A scenario stops what it started on its way out; anything it missed (a node, Redis, PostgreSQL) is stopped here.
    void stopAll().finally(() => process.exit(1));
  },
);
