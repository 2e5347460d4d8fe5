import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { reapOnExit } from './reap.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A guard against a node that never starts, not a measure of how fast it does:
 * three nodes starting at once took 37 s on a loaded 2-core machine.
 */
const nodeStartMs = 90_000;

/** Every test node shares this TICKR_CLUSTER_SECRET unless its env says otherwise, so test clusters forward to each other. */
export const testClusterSecret = 'tickr-test-cluster-secret-0123456789abcdef';

export type NodeProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the node printed (stdout and stderr), also appended to `logFile` when one was given. */
  output: () => string;
  /** Ends the process with `signal` and waits for it to be gone. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

export type NodeProcessOptions = {
  /** null: no DATABASE_URL, so the node runs its embedded PostgreSQL in TICKR_DATA_DIR, as `npm start` does. */
  dbUrl: string | null;
  /** Over the defaults below and this process's environment; undefined removes a variable (e.g. NODE_ENV). */
  env?: Record<string, string | undefined>;
  port?: number;
  /** Where it listens (HOST): default 127.0.0.1; `url` uses `advertise` when given (a node in a network namespace). */
  host?: string;
  advertise?: string;
  /** How long to wait for "listening on" (an embedded PostgreSQL's first start runs initdb). */
  startTimeoutMs?: number;
  /** Node's arguments; default the sources through tsx (`--import tsx node/src/cli.ts start`). */
  args?: string[];
  /** A command the node runs under, e.g. `['ip', 'netns', 'exec', ns]` (npm run chaos). */
  wrap?: string[];
  /** A file that gets everything the node prints, kept after it stops (for a run to read afterwards). */
  logFile?: string;
  /** Output kept in memory, the latest characters (default all of it). */
  outputKeptChars?: number;
};

function launch(opts: NodeProcessOptions, port: number): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: opts.host ?? '127.0.0.1',
    TICKR_SEED_DEMO: '0',
    TICKR_LOG_LEVEL: 'warn',
    // A node with REDIS_URL (a test's, or one inherited from the shell) needs it; alone it is unused.
    TICKR_CLUSTER_SECRET: testClusterSecret,
  };
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  if (opts.dbUrl === null) delete env.DATABASE_URL;
  else env.DATABASE_URL = opts.dbUrl;
  const [command, ...args] = [...(opts.wrap ?? []), process.execPath, ...(opts.args ?? ['--import', 'tsx', 'node/src/cli.ts', 'start'])];
  const child = spawn(command!, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    if (opts.outputKeptChars !== undefined && output.length > opts.outputKeptChars) output = output.slice(-opts.outputKeptChars);
    if (opts.logFile) appendFileSync(opts.logFile, d);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => output };
}

/** Runs `tickr start` expecting it to refuse: resolves with its exit code and everything it printed. */
export async function refusedNodeProcess(opts: NodeProcessOptions): Promise<{ code: number | null; output: string }> {
  const { child, output } = launch(opts, opts.port ?? (await freePort()));
  const waitMs = opts.startTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node neither refused nor exited in ${waitMs / 1000} s:\n${output()}`));
    }, waitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    });
  });
}

/**
 * The one way tests spawn a real Tickr node (`tickr start`) as a child
 * process: free port, its output kept (and logged to a file if asked), ready
 * once it prints "listening on", killed when the test process exits if the
 * test did not stop it first.
 */
export async function spawnNode(opts: NodeProcessOptions): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  const { child, output } = launch(opts, port);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const waitMs = opts.startTimeoutMs ?? nodeStartMs;
    const timer = setTimeout(() => reject(new Error(`node did not start in ${waitMs / 1_000} s:\n${output()}`)), waitMs);
    const check = () => {
      if (output().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${output()}`));
    });
  }).catch(async (error: unknown) => {
    // Not ready in time: not left running behind the failure.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw error;
  });
  return {
    url: `http://${opts.advertise ?? '127.0.0.1'}:${port}`,
    port,
    child,
    output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** @deprecated The name spawnNode had; kept so branches written before the test kit still merge. */
export const startNodeProcess = spawnNode;
