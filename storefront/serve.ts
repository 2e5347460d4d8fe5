/**
 * Serves the built storefront (adapter-node's handler) inside a Tickr node,
 * so `npm start` runs engine, edge and storefront in one process. Builds the
 * storefront first when its build is missing or older than its sources.
 *
 * adapter-node reads its settings from the environment when its handler is
 * imported (with the TICKR_WEB_ prefix, see svelte.config.js), so they are
 * set before the import, once per process.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  posterBytesMax, webConnectionsMax, webHeadersTimeoutMs, webHstsMaxAgeSeconds, webKeepAliveTimeoutMs, webRequestTimeoutMs, webTimeoutCheckMs,
} from '../engine/src/constants.ts';
import { projectRoot } from '../engine/src/project_root.ts';

/** From source (storefront/serve.ts) or from the compiled build (dist/storefront/serve.js), the storefront's own folder. */
export const storefrontDir = join(projectRoot, 'storefront');
const buildDir = join(storefrontDir, 'build');
const lockDir = join(storefrontDir, '.build.lock');
/** What the build is made from: newer than the build means rebuild. */
const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];
/** A build that takes longer is stuck; a lock older than this is taken over. */
export const buildTimeoutMs = 180_000;

export type StorefrontOptions = {
  port: number;
  host: string;
  /** The edge's HTTP API as the storefront server reaches it. */
  apiUrl: string;
  /** The edge's port, for the browser's WebSocket (same host name as the page). */
  edgePort: number;
  /**
   * The edge's per-process secret (edge/src/http/client_address.ts): sent
   * back on every call to the edge, it makes the edge believe the client
   * address this server forwards. It stays on the server side.
   */
  proof: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
};

export type RunningStorefront = { port: number; url: string; close: () => Promise<void> };

/** Default port of the storefront under `npm start`. */
export const webPortDefault = 5173;

/**
 * The storefront's port from TICKR_WEB_PORT, or null when this node serves no
 * storefront: unset (nodes started by tests and benchmarks) or "off".
 */
export function storefrontPort(env: NodeJS.ProcessEnv): number | null {
  const raw = env.TICKR_WEB_PORT;
  if (raw === undefined || raw === '' || raw === 'off') return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`TICKR_WEB_PORT must be a port from 0 to 65535 or "off", got "${raw}"`);
  // Checked with the port, at the node's start: a bad value stops the node, not just the storefront.
  secureWeb(env);
  return port;
}

/** TICKR_WEB_SECURE_COOKIES: "1" when TLS is in front (Secure cookies and HSTS), "0" or unset when not. */
export function secureWeb(env: NodeJS.ProcessEnv): boolean {
  const raw = env.TICKR_WEB_SECURE_COOKIES;
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new Error(`TICKR_WEB_SECURE_COOKIES must be "1" (TLS in front of the storefront) or "0", got "${raw}"`);
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (info === null) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

export async function buildIsStale(): Promise<boolean> {
  const built = await stat(join(buildDir, 'handler.js')).catch(() => null);
  if (built === null) return true;
  let newest = 0;
  for (const source of sources) newest = Math.max(newest, await newestMtime(join(storefrontDir, source)));
  return newest > built.mtimeMs;
}

function runViteBuild(): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: storefrontDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`storefront build failed (vite build exited with ${code}):\n${output}`));
    });
  });
}

/** True while the process that took the build lock still runs; a lock without a readable owner counts as held until stale. */
async function lockOwnerAlive(): Promise<boolean> {
  const pid = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One build at a time across processes (parallel test files, several nodes):
 * a lock directory holding the builder's pid, waited on. A lock whose builder
 * died (killed mid-build) is taken over at once; one that is merely old, after
 * `buildTimeoutMs`.
 */
export async function ensureBuilt(log: StorefrontOptions['log']): Promise<void> {
  if (!(await buildIsStale())) return;
  const deadline = Date.now() + 2 * buildTimeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      const lock = await stat(lockDir).catch(() => null);
      const stale = lock !== null && Date.now() - lock.mtimeMs > 1_000 && (Date.now() - lock.mtimeMs > buildTimeoutMs || !(await lockOwnerAlive()));
      if (stale) await rm(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`storefront build lock ${lockDir} held for too long; remove it if no build is running`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    // Another process may have built while this one waited for the lock.
    if (!(await buildIsStale())) return;
    log('info', 'building the storefront (vite build): its build is missing or older than its sources');
    const started = Date.now();
    await runViteBuild();
    log('info', `storefront built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * Headers on every answer of the storefront (pages, its files, the /api
 * proxy). The page's Content-Security-Policy (with `frame-ancestors 'none'`)
 * comes from SvelteKit (`kit.csp`); X-Frame-Options says the same to older
 * browsers. HSTS only when TLS is in front: over plain http it would be
 * ignored, and a developer's localhost must not learn it.
 */
export function securityHeaders(secure: boolean): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    ...(secure ? { 'strict-transport-security': `max-age=${webHstsMaxAgeSeconds}` } : {}),
  };
}

export type WebLimits = { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; timeoutCheckMs: number; connectionsMax: number };
export const webLimits: WebLimits = {
  headersTimeoutMs: webHeadersTimeoutMs, requestTimeoutMs: webRequestTimeoutMs, keepAliveTimeoutMs: webKeepAliveTimeoutMs,
  timeoutCheckMs: webTimeoutCheckMs, connectionsMax: webConnectionsMax,
};

/**
 * The storefront's HTTP server around adapter-node's handler: security
 * headers on every answer, and bounds on slow and idle connections, so a
 * client that never finishes its headers (slowloris) is answered 408 and
 * closed instead of holding a connection for good (see constants.ts).
 */
export function createStorefrontServer(handler: Handler, secure: boolean, limits: WebLimits = webLimits): Server {
  const headers = securityHeaders(secure);
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckMs,
  }, (req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    req.headers['x-forwarded-proto'] ??= 'http';
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.connectionsMax;
  return server;
}

export async function startStorefront(options: StorefrontOptions): Promise<RunningStorefront> {
  const secure = secureWeb(process.env);
  await ensureBuilt(options.log);
  process.env.TICKR_API_URL ||= options.apiUrl;
  process.env.TICKR_EDGE_PORT ||= String(options.edgePort);
  process.env.TICKR_STOREFRONT_PROOF = options.proof;
  // Plain http unless a proxy in front says otherwise: form actions check the Origin against it.
  process.env.TICKR_WEB_PROTOCOL_HEADER ||= 'x-forwarded-proto';
  // adapter-node refuses bodies over 512 KB by default: a poster (posterBytesMax) goes through the storefront, with room for the multipart wrapping.
  process.env.TICKR_WEB_BODY_SIZE_LIMIT ||= String(posterBytesMax + 64 * 1024);
  const { handler } = (await import(pathToFileURL(join(buildDir, 'handler.js')).href)) as { handler: Handler };
  const server = createStorefrontServer(handler, secure);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
