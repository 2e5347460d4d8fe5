import { ServerStartError, stopAll } from './server.ts';
import { ApiError } from './tickr_api.ts';
import { buildReport, jsonLine, progress, renderTable, writeResults } from './report.ts';
import { parseCommandLine, usage } from './options.ts';
import { findScenario, scenarios } from './scenarios/index.ts';

/**
 * `npm run bench -- <scenario> [--json] [--duration S] [--connections N[,N...]] [--quick] [--capacity N] [--nodes N] [--kills K]
 *   [--baselines a,b,c | --no-baselines] [--redis-durable]`
 * (options.ts reads them)
 *
 * Exit codes: 0 done and every check held; 1 a check failed or the run broke;
 * 2 the command line was wrong (unknown scenario, bad option).
 */

function listScenarios(): string {
  return scenarios.map((s) => `  ${s.name.padEnd(12)}${s.load ? '' : '(not yet available) '}${s.summary}`).join('\n');
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
  progress(`wrote ${files.json}, ${files.md} and ${files.html}`);
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
    // A scenario stops what it started on its way out; anything it missed (a node, Redis, PostgreSQL) is stopped here.
    void stopAll().finally(() => process.exit(1));
  },
);
