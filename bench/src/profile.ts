import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { CpuProfile } from './inspector.ts';
import { readProcStat, ticksPerSecond } from './server.ts';

/**
 * `npm run bench -- holds --profile`: where one hold's CPU goes. V8's
 * profiler samples every thread of the node over the measured run alone
 * (inspector.ts), and
 * PostgreSQL's CPU is read per backend from /proc around the measured run,
 * each backend named by its role (application_name: the flush connections,
 * the snapshot writer, pg-boss, ...) or its kind (WAL writer, checkpointer).
 * A flush connection runs one statement only, so a role is a statement.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Functions listed per thread, by self time. */
const topFunctions = 12;

export type ThreadProfile = { thread: string; busyUs: number; gcUs: number; top: { name: string; where: string; selfUs: number }[] };

/**
 * A thread's V8 profile in short: the time it was busy (every sample but
 * `(idle)`; `(program)` is native work outside JavaScript, such as uWS's own
 * I/O, and counts), its garbage collection, and its functions by self time.
 */
export function summarise(thread: string, profile: CpuProfile): ThreadProfile {
  // BENCH_PROFILE_DIR: each thread's whole profile too, for a call tree (Chrome DevTools, speedscope).
  const dir = process.env.BENCH_PROFILE_DIR;
  if (dir) mkdirSync(dir, { recursive: true });
  if (dir) writeFileSync(join(dir, `${thread.replace(/[^\w-]+/g, '_')}.cpuprofile`), JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, { name: string; where: string; selfUs: number }>();
  let busyUs = 0;
  let gcUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!)!;
    // A sample's time is the delta to the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (frame.functionName === '(idle)') continue;
    busyUs += us;
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const where = frame.url === '' ? '' : `${shorten(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = self.get(key) ?? { name: frame.functionName || '(anonymous)', where, selfUs: 0 };
    entry.selfUs += us;
    self.set(key, entry);
  }
  const top = [...self.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, topFunctions);
  return { thread, busyUs, gcUs, top };
}

function shorten(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inRepo = relative(repoRoot, path);
  return inRepo.startsWith('..') ? path : inRepo.replace(/^node_modules\//, '');
}

/** A PostgreSQL process's role: the connection's application_name without the node and worker, or the kind of process. */
function roleOf(applicationName: string, backendType: string): string {
  if (applicationName !== '') return applicationName.replace(/-node-\S+$/, '').replace(/-[\w.]+-\d+$/, '');
  return backendType === 'client backend' ? 'client backend (no application_name)' : backendType;
}

/** Names every PostgreSQL process now; call again after the run to name those that came since. */
export async function namePgProcesses(databaseUrl: string, known: Map<number, string> = new Map()): Promise<Map<number, string>> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-profile' });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; application_name: string | null; backend_type: string | null }>(
      'SELECT pid, application_name, backend_type FROM pg_stat_activity',
    );
    const named = new Map(known);
    for (const r of rows) if (!named.has(r.pid)) named.set(r.pid, roleOf(r.application_name ?? '', r.backend_type ?? ''));
    return named;
  } finally {
    await client.end();
  }
}

/** CPU µs so far of each process in `pids` (/proc, Linux). */
export function cpuOfPids(pids: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const stat = readProcStat(pid);
    // utime + stime only: a backend's children are not its work.
    if (stat) out.set(pid, (stat.cpuTicks * 1_000_000) / ticksPerSecond());
  }
  return out;
}

/** CPU µs per role over a run: the difference of two samples (a process born during the run counts whole). */
export function cpuByRole(names: Map<number, string>, before: Map<number, number>, after: Map<number, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pid, us] of after) {
    const role = names.get(pid) ?? 'unnamed postgres process';
    out.set(role, (out.get(role) ?? 0) + us - (before.get(pid) ?? 0));
  }
  return out;
}

export type HoldsProfile = {
  label: string;
  command: string;
  date: string;
  uptime: string;
  holds: number;
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerHold: number | null;
  pgUsPerHold: number | null;
  threads: ThreadProfile[];
  /** Per role, over the measured run only. */
  pgRoles: [role: string, us: number][];
};

const fmt = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));

export function renderProfile(p: HoldsProfile): string {
  const lines: string[] = [];
  lines.push(`## ${p.label}`, '', `\`${p.command}\` on ${p.date}; load before the run: ${p.uptime}`, '');
  lines.push(`${Math.round(p.rps)} holds/s, p50 ${p.p50} ms, p99 ${p.p99} ms; CPU per hold ${p.cpuUsPerHold === null ? 'n/a' : fmt(p.cpuUsPerHold)} µs, of which PostgreSQL ${p.pgUsPerHold === null ? 'n/a' : fmt(p.pgUsPerHold)} µs.`, '');
  lines.push('### Node threads (V8 samples over the measured run, per hold answered)', '');
  lines.push('| thread | busy µs/hold | of which GC |', '|---|---:|---:|');
  for (const t of p.threads) lines.push(`| ${t.thread} | ${fmt(t.busyUs / p.holds)} | ${fmt(t.gcUs / p.holds)} |`);
  for (const t of p.threads) {
    lines.push('', `#### ${t.thread}: top functions by self time`, '', '| function | where | µs/hold |', '|---|---|---:|');
    for (const f of t.top) lines.push(`| \`${f.name}\` | ${f.where === '' ? '(native)' : `\`${f.where}\``} | ${fmt(f.selfUs / p.holds)} |`);
  }
  lines.push('', '### PostgreSQL per role (per process from /proc, measured run only; a flush connection runs the flush statement alone)', '');
  lines.push('| role | µs/hold |', '|---|---:|');
  for (const [role, us] of p.pgRoles) lines.push(`| ${role} | ${fmt(us / p.holds)} |`);
  return lines.join('\n') + '\n';
}

/** Writes `p`'s section into `file`, replacing the section of the same label and keeping the others. */
export async function writeProfile(file: string, p: HoldsProfile): Promise<void> {
  const header = '# Where one hold\'s CPU goes\n\nMade by `npm run bench -- holds --profile [--profile-label NAME]`; see bench/src/profile.ts for how.\n\n';
  const existing = await readFile(file, 'utf8').catch(() => '');
  const sections = existing.split(/^(?=## )/m).filter((s) => s.startsWith('## ') && !s.startsWith(`## ${p.label}\n`));
  await writeFile(file, header + [...sections.map((s) => s.trimEnd() + '\n'), renderProfile(p)].join('\n'));
}
