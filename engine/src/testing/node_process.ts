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

/** A real Tickr node (`tickr start`) as a child process, for crash and end-to-end tests. */
export async function startNodeProcess(opts: { dbUrl: string; env?: Record<string, string>; port?: number }): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'edge/src/cli.ts', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: opts.dbUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      TICKR_SEED_DEMO: '0',
      TICKR_LOG_LEVEL: 'warn',
      // A node with REDIS_URL (a test's, or one inherited from the shell) needs it; alone it is unused.
      TICKR_CLUSTER_SECRET: testClusterSecret,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in ${nodeStartMs / 1_000} s:\n${output}`)), nodeStartMs);
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
