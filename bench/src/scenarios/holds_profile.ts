import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeProfiler, type CpuProfile } from '../inspector.ts';
import { cpuByRole, cpuOfPids, namePgProcesses, summarise, writeProfile, type HoldsProfile } from '../profile.ts';
import { isoDate, progress, resultsDir, type ScenarioReport } from '../report.ts';
import { descendantsOf, freePort, startTickr } from '../server.ts';
import type { BenchOptions } from './index.ts';
import { checkInventory, measureHolds, prepare } from './holds.ts';

/**
 * `holds --profile`: Tickr alone (no hello-world, no baselines) at the first
 * connection count. The node runs with `--inspect` on loopback, and V8's
 * profiler samples each of its threads over the measured run alone;
 * PostgreSQL's processes are sampled around the same run and named by role. The section goes into bench/results/profile-holds.md
 * under `--profile-label`, beside the sections of other labels (before/after).
 */
export async function profileHolds(opts: BenchOptions): Promise<ScenarioReport> {
  const connections = opts.connections[0]!;
  const loadavg = (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ');
  const inspectPort = await freePort();
  progress(`starting a Tickr node with its inspector on 127.0.0.1:${inspectPort}`);
  const server = await startTickr({ ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}), nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] });
  const notes = ['--profile: Tickr alone, no hello-world and no baselines'];
  let profiler: NodeProfiler | null = null;
  try {
    const setup = await prepare(server, opts);
    profiler = await NodeProfiler.connect(inspectPort);
    const postmaster = server.postmasterPid;
    const pgPids = () => (postmaster === null ? [] : [postmaster, ...descendantsOf(postmaster).map((p) => p.pid)]);
    let names = await namePgProcesses(server.databaseUrl);
    let before = new Map<number, number>();
    let after = new Map<number, number>();
    let started: Promise<void> = Promise.resolve();
    let stopped: Promise<{ thread: string; profile: CpuProfile }[]> = Promise.resolve([]);
    const p = profiler;
    setup.around = {
      before: () => {
        started = p.start();
        before = cpuOfPids(pgPids());
      },
      after: () => {
        after = cpuOfPids(pgPids());
        stopped = started.then(() => p.stop());
      },
    };
    const { row, held } = await measureHolds(setup, opts, connections, notes);
    const threads = (await stopped).map(({ thread, profile }) => summarise(thread, profile));
    names = await namePgProcesses(server.databaseUrl, names);
    if (postmaster !== null) names.set(postmaster, 'postmaster (and processes that exited during the run)');
    const checks = await checkInventory(setup, opts, held + 1);
    const profile: HoldsProfile = {
      label: opts.profileLabel ?? 'current',
      command: `npm run bench -- holds --profile --connections ${connections} --duration ${opts.durationS}${commitNote()}`,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      uptime: `load average ${loadavg}`,
      holds: row.requests ?? 0,
      rps: row.rps,
      p50: row.p50,
      p99: row.p99,
      cpuUsPerHold: row.cpuUsPerReq,
      pgUsPerHold: row.pgCpuUsPerReq ?? null,
      threads,
      pgRoles: [...cpuByRole(names, before, after)].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]),
    };
    const file = join(resultsDir, 'profile-holds.md');
    await writeProfile(file, profile);
    progress(`wrote ${file} (section "${profile.label}")`);
    profiler.close();
    progress('stopping the node');
    await server.stop();
    return { scenario: 'holds', results: [row], checks, figures: { profile: file }, notes: [...notes, `date ${isoDate()}`] };
  } catch (error) {
    profiler?.close();
    await server.stop({ keepLog: true });
    throw error;
  }
}

/** `(commit abc1234)` of the code measured, when git can tell. */
function commitNote(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return ` (commit ${hash}${dirty ? ' + uncommitted changes' : ''})`;
  } catch {
    return '';
  }
}
