import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { leaseTtlMsDefault } from '../../engine/src/constants.ts';
import { labUnavailable } from './lab.ts';
import { runChaos } from './run.ts';
import { faultKinds, type FaultKind } from './schedule.ts';
import { closeAllStacks } from './stack.ts';

/*
 * npm run chaos -- [--seed N] [--duration S] [--nodes K] [--lease-ttl-ms MS] [--faults F] [--kinds a,b]
 *
 * Starts Redis, PostgreSQL and K nodes each in a network namespace of its own,
 * runs the seeded fault schedule under client load for S seconds, heals, checks,
 * and prints the JSON summary last. Exit 0: every check held; 1: a check
 * failed (the summary says which); 77: skipped, namespaces cannot be made here
 * (the reason is printed); 2: the run itself broke.
 */
const usage = `usage: npm run chaos -- [--seed N] [--duration S] [--nodes K (2-5)] [--lease-ttl-ms MS] [--faults F] [--kinds ${faultKinds.join(',')}]`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    duration: { type: 'string', default: '60' },
    nodes: { type: 'string', default: '3' },
    'lease-ttl-ms': { type: 'string', default: String(leaseTtlMsDefault) },
    faults: { type: 'string' },
    kinds: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const int = (name: string, raw: string, min: number, max: number) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"\n${usage}`);
    process.exit(2);
  }
  return n;
};
const seed = int('seed', values.seed, 0, 2 ** 32 - 1);
const durationS = int('duration', values.duration, 5, 86_400);
const nodes = int('nodes', values.nodes, 2, 5);
const leaseTtlMs = int('lease-ttl-ms', values['lease-ttl-ms'], 1_000, 60_000);
const faultsMax = values.faults === undefined ? undefined : int('faults', values.faults, 1, 10_000);

const kinds = values.kinds === undefined ? undefined : values.kinds.split(',').map((k) => k.trim()) as FaultKind[];
const unknown = kinds?.filter((k) => !faultKinds.includes(k)) ?? [];
if (unknown.length > 0 || kinds?.length === 0) {
  console.error(`--kinds takes fault kinds from ${faultKinds.join(', ')}; unknown: ${unknown.join(', ') || '(none given)'}\n${usage}`);
  process.exit(2);
}

const reason = await labUnavailable();
if (reason !== null) {
  console.error(`chaos: SKIPPED, not run: ${reason}`);
  console.log(JSON.stringify({ skipped: reason }));
  process.exit(77);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`chaos: ${signal}: taking the namespaces and processes down`);
    void closeAllStacks().finally(() => process.exit(130));
  });
}

const log = (line: string) => console.error(`[chaos ${new Date().toISOString().slice(11, 23)}] ${line}`);
try {
  const logFile = join(tmpdir(), `tickr-chaos-seed${seed}-${process.pid}-nodes.log`);
  const summary = await runChaos({ seed, durationS, nodes, leaseTtlMs, faultsMax, kinds, log, onNodeLogs: (text) => writeFileSync(logFile, text) });
  log(`the nodes' logs: ${logFile}`);
  for (const d of summary.detail) log(`FOUND ${d}`);
  if (summary.recoveryMsMax === null || summary.recoveryMsMax > summary.recoveryBoundMs) {
    log(`service took longer than ${summary.recoveryBoundMs} ms (2 × lease TTL) to come back after a fault: ${summary.faults.map((f) => `${f.kind}@${f.node} ${f.recoveryMs ?? 'never'}`).join(', ')}`);
  }
  console.log(JSON.stringify(summary, null, 2));
  process.exit(summary.ok ? 0 : 1);
} catch (error) {
  log(`the run broke: ${(error as Error).stack}`);
  await closeAllStacks();
  process.exit(2);
}
