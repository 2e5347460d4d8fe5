import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../../engine/src/db/migrate.ts';
import { createPool, type Db } from '../../engine/src/db/pool.ts';
import { spawnNode, startRedis } from '../../engine/src/testing/kit.ts';
import { createLab, type Lab, type Member } from './lab.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** A guard against a process that never starts, not a measure (three nodes at once took 37 s on a busy 2-core box). */
const startMs = 120_000;

export const chaosOperator = { email: 'operator@chaos.tickr', password: 'chaos-operator-password-1' };

export type ChaosNode = { name: string; member: Member; url: string; child: ChildProcess; output: () => string; skewFile: string };

export type Stack = {
  lab: Lab;
  redis: Member;
  pg: Member;
  nodes: ChaosNode[];
  /** The runner's pool on the run's database (through the bridge). */
  db: Db;
  leaseTtlMs: number;
  shards: number;
  output: (tail?: number) => string;
  /** Stops everything and deletes the namespaces, whatever state they are in. */
  close: () => Promise<void>;
};

type Proc = { child: ChildProcess; output: () => string };

/** Stacks not closed yet, so a Ctrl-C can still take their namespaces down (closeAllStacks). */
const open = new Set<() => Promise<void>>();

export async function closeAllStacks(): Promise<void> {
  await Promise.all([...open].map((close) => close()));
}

function spawnIn(lab: Lab, m: Member, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn('ip', ['netns', 'exec', m.ns, cmd, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-200_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => output };
}

function waitFor(p: Proc, what: string, ready: (output: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${startMs / 1000} s:\n${p.output().slice(-3_000)}`)), startMs);
    const check = () => {
      if (ready(p.output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    p.child.stdout!.on('data', check);
    p.child.stderr!.on('data', check);
    p.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${p.output().slice(-3_000)}`));
    });
  });
}

/**
 * A fresh stack in namespaces: Redis (.2), PostgreSQL (.3) and `nodes` Tickr
 * nodes (.11, .12, ...) in cluster mode, each in a namespace of its own, on
 * data folders of this run's own. Nothing of the machine's own Redis or
 * PostgreSQL is used.
 */
export async function startStack(opts: { nodes: number; leaseTtlMs: number; shards?: number; log?: (line: string) => void }): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), 'tickr-chaos-'));
  await chmod(dir, 0o755);
  const lab = await createLab();
  const procs: Proc[] = [];
  let db: Db | null = null;
  const nodes: ChaosNode[] = [];
  let redisStop: (() => Promise<void>) | null = null;
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= closeOnce());
  open.add(close);
  const closeOnce = async () => {
    await db?.end().catch(() => {});
    for (const n of nodes) n.child.kill('SIGKILL');
    // The Postgres helper stops its server on SIGTERM; whatever is left is killed with the namespaces.
    for (const p of procs) p.child.kill('SIGTERM');
    await redisStop?.().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await lab.destroy();
    await rm(dir, { recursive: true, force: true });
    open.delete(close);
  };
  try {
    const redis = await lab.add('redis', 2);
    const pg = await lab.add('pg', 3);
    const cidr = `${lab.subnet}.0/24`;
    log(`chaos network ${cidr} (run ${lab.id}); tools: ${JSON.stringify(lab.tools)}`);
    const pgProc = spawnIn(lab, pg, process.execPath, ['--import', 'tsx', 'test/chaos/pg_server.ts', join(dir, 'pg'), pg.ip, cidr]);
    procs.push(pgProc);
    const [redisServer] = await Promise.all([
      startRedis({ fromEnv: false, host: redis.ip, port: 6379, wrap: ['ip', 'netns', 'exec', redis.ns], startTimeoutMs: startMs }),
      waitFor(pgProc, 'PostgreSQL', (o) => o.includes('ready postgres://')),
    ]);
    redisStop = redisServer.stop;
    const adminUrl = /ready (\S+)/.exec(pgProc.output())![1]!;
    const admin = createPool(adminUrl, 1);
    await admin.query('CREATE DATABASE tickr');
    await admin.end();
    const dbUrl = adminUrl.replace(/\/postgres$/, '/tickr');
    db = createPool(dbUrl);
    await migrate(db);
    log(`redis ${redis.ip}:6379, postgres ${pg.ip}:5432 ready`);

    const shards = opts.shards ?? 16;
    const env: Record<string, string | undefined> = {
      // Development mode, whatever the shell says.
      NODE_ENV: undefined,
      REDIS_URL: `redis://${redis.ip}:6379`,
      TICKR_REDIS_PREFIX: 'tickr:',
      TICKR_SHARDS: String(shards),
      TICKR_WORKERS: '1',
      TICKR_LEASE_TTL_MS: String(opts.leaseTtlMs),
      TICKR_TOKEN_SECRET: `chaos-token-${randomBytes(24).toString('hex')}`,
      TICKR_TICKET_KEY_SECRET: `chaos-ticket-${randomBytes(24).toString('hex')}`,
      TICKR_CLUSTER_SECRET: `chaos-cluster-${randomBytes(24).toString('hex')}`,
      TICKR_OPERATOR_EMAIL: chaosOperator.email,
      TICKR_OPERATOR_PASSWORD: chaosOperator.password,
      TICKR_SEED_DEMO: '0',
      TICKR_LOG_LEVEL: 'warn',
      TICKR_SIGNUPS_PER_ADDRESS: '100000',
      TICKR_INTERNAL_PORT: '4000',
    };
    const launch = async (i: number) => {
      const name = `n${i + 1}`;
      const member = await lab.add(name, 11 + i);
      const skewFile = join(dir, `skew-${name}`);
      await writeFile(skewFile, '0');
      const p = await spawnNode({
        dbUrl,
        wrap: ['ip', 'netns', 'exec', member.ns],
        host: '0.0.0.0',
        port: 3000,
        advertise: member.ip,
        startTimeoutMs: startMs,
        outputKeptChars: 200_000,
        env: { ...env, NODE_ID: name, TICKR_ADVERTISE_HOST: member.ip, TICKR_DATA_DIR: join(dir, name), TICKR_TEST_CLOCK_SKEW_FILE: skewFile },
      });
      const node: ChaosNode = { name, member, url: p.url, child: p.child, output: p.output, skewFile };
      nodes.push(node);
      log(`node ${name} listening on ${node.url}`);
    };
    // Two at a time: on a 2-core box, more tsx start-ups at once only take longer each.
    for (let i = 0; i < opts.nodes; i += 2) await Promise.all(Array.from({ length: Math.min(2, opts.nodes - i) }, (_, k) => launch(i + k)));
    return {
      lab,
      redis,
      pg,
      nodes,
      db,
      leaseTtlMs: opts.leaseTtlMs,
      shards,
      output: (tail = 3_000) => nodes.map((n) => `----- ${n.name} -----\n${n.output().slice(-tail)}`).join('\n'),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
