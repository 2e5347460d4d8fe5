import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

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
  output: () => string;
  /** Ends the process with `signal` and waits for it to be gone. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

type NodeProcessOptions = {
  /** null: no DATABASE_URL, so the node runs its embedded PostgreSQL in TICKR_DATA_DIR, as `npm start` does. */
  dbUrl: string | null;
  env?: Record<string, string>;
  port?: number;
  /** How long to wait for "listening on" (an embedded PostgreSQL's first start runs initdb). */
  startTimeoutMs?: number;
  /** Node's arguments; default the sources through tsx (`--import tsx node/src/cli.ts start`). */
  args?: string[];
};

function spawnNode(opts: NodeProcessOptions, port: number): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TICKR_SEED_DEMO: '0',
    TICKR_LOG_LEVEL: 'warn',
    // A node with REDIS_URL (a test's, or one inherited from the shell) needs it; alone it is unused.
    TICKR_CLUSTER_SECRET: testClusterSecret,
    ...opts.env,
  };
  if (opts.dbUrl === null) delete env.DATABASE_URL;
  else env.DATABASE_URL = opts.dbUrl;
  return spawn(process.execPath, opts.args ?? ['--import', 'tsx', 'node/src/cli.ts', 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `tickr start` expecting it to refuse: resolves with its exit code and everything it printed. */
export async function refusedNodeProcess(opts: NodeProcessOptions): Promise<{ code: number | null; output: string }> {
  const child = spawnNode(opts, opts.port ?? (await freePort()));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const waitMs = opts.startTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node neither refused nor exited in ${waitMs / 1000} s:\n${output}`));
    }, waitMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A real Tickr node (`tickr start`) as a child process, for crash and end-to-end tests. */
export async function startNodeProcess(opts: NodeProcessOptions): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawnNode(opts, port);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const waitMs = opts.startTimeoutMs ?? nodeStartMs;
    const timer = setTimeout(() => reject(new Error(`node did not start in ${waitMs / 1_000} s:\n${output}`)), waitMs);
    const check = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
