import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flushesInFlightDefault, flushesInFlightMax, leaseTtlMsDefault, shardCount, snapshotEveryEntries } from './constants.ts';
import { deriveServerKey, serverSecretBytesMin } from './tickets/keys.ts';

/**
 * Every setting Tickr reads from its environment, read and checked once at
 * start. A bad value stops the process with a sentence saying what to fix.
 */
export type Config = {
  /** Unset: an embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | null;
  /** Unset: one node owns every shard (in-process leases). */
  redisUrl: string | null;
  nodeId: string;
  /** Prefix of every Redis key this cluster uses (leases, membership): several clusters can share one Redis. */
  redisPrefix: string;
  /** How long a shard lease lives; renewed every ttl/3.3. */
  leaseTtlMs: number;
  /** The address other nodes use to reach this node's internal port. */
  advertiseHost: string;
  host: string;
  port: number;
  internalPort: number;
  workers: number;
  shards: number;
  dataDir: string;
  embeddedPgPort: number;
  /** Signs access tokens (HS256). Unset in development: a random one per start, so tokens die with the process. */
  tokenSecret: Uint8Array;
  tokenSecretEphemeral: boolean;
  operatorEmail: string | null;
  operatorPassword: string | null;
  seedDemo: boolean;
  benchRoutes: boolean;
  /** Journal flushes wait at most this long for more entries when another flush is not already running. */
  flushDelayMs: number;
  /** Journal flushes in flight per worker (one connection each); 1 is one flush at a time. */
  flushesInFlight: number;
  /** Snapshot an event every this many journal entries: recovery replays at most this many. */
  snapshotEvery: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** NODE_ENV=production: development-only routes (the dev mail outbox) refuse to answer. */
  production: boolean;
  /** Seals each event's private ticket key (derived from TICKR_TICKET_KEY_SECRET). Unset in development: random per start. */
  ticketServerKey: Buffer;
  ticketKeySecretEphemeral: boolean;
  /** SES when a region is set; otherwise email stays in the dev outbox. Credentials: the AWS SDK's default chain. */
  sesRegion: string | null;
  /** e.g. http://localhost:4566 for LocalStack. */
  sesEndpoint: string | null;
  mailFrom: string;
  /** The storefront's address, for links in emails. */
  publicUrl: string;
  /** Platform fee of new events, basis points of each ticket's price (400 = 4 %). */
  platformFeeBps: number;
  /** Run the pg-boss job workers inside this node (`tickr jobs` runs them alone). */
  jobWorkers: boolean;
  /** Where a payment provider sends the buyer back (the edge's public address); default publicUrl. */
  apiPublicUrl: string;
  stripe: { secretKey: string; webhookSecret: string; apiUrl: string | null } | null;
  clictopay: { username: string; password: string; url: string } | null;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false (1/0), got "${raw}"`);
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

/** Both keys or neither: a provider half configured would take money it cannot confirm. */
function stripeConfig(env: NodeJS.ProcessEnv): Config['stripe'] {
  const secretKey = env.STRIPE_SECRET_KEY || '';
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET || '';
  if (secretKey === '' && webhookSecret === '') return null;
  if (secretKey === '' || webhookSecret === '') throw new ConfigError('STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both or neither');
  return { secretKey, webhookSecret, apiUrl: env.STRIPE_API_URL ? url(env, 'STRIPE_API_URL', '') : null };
}

function clictopayConfig(env: NodeJS.ProcessEnv): Config['clictopay'] {
  const username = env.CLICTOPAY_USERNAME || '';
  const password = env.CLICTOPAY_PASSWORD || '';
  if (username === '' && password === '') return null;
  if (username === '' || password === '') throw new ConfigError('CLICTOPAY_USERNAME and CLICTOPAY_PASSWORD go together: set both or neither');
  return { username, password, url: url(env, 'CLICTOPAY_URL', 'https://test.clictopay.com/payment/rest') };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const secret = env.TICKR_TOKEN_SECRET;
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('TICKR_TOKEN_SECRET must be at least 32 characters long');
  }
  const operatorEmail = env.TICKR_OPERATOR_EMAIL || null;
  const operatorPassword = env.TICKR_OPERATOR_PASSWORD || null;
  if ((operatorEmail === null) !== (operatorPassword === null)) {
    throw new ConfigError('TICKR_OPERATOR_EMAIL and TICKR_OPERATOR_PASSWORD go together: set both or neither');
  }
  if (operatorPassword !== null && operatorPassword.length < 10) {
    throw new ConfigError('TICKR_OPERATOR_PASSWORD must be at least 10 characters long');
  }
  const logLevel = (env.TICKR_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`TICKR_LOG_LEVEL must be one of debug, info, warn, error, got "${logLevel}"`);
  }
  const ticketKeySecret = env.TICKR_TICKET_KEY_SECRET || null;
  if (ticketKeySecret !== null && Buffer.byteLength(ticketKeySecret) < serverSecretBytesMin) {
    throw new ConfigError(`TICKR_TICKET_KEY_SECRET must be at least ${serverSecretBytesMin} bytes; generate one with openssl rand -base64 48`);
  }
  const sesEndpoint = env.TICKR_SES_ENDPOINT || null;
  if (sesEndpoint !== null && !/^https?:\/\/[^\s]+$/.test(sesEndpoint)) {
    throw new ConfigError(`TICKR_SES_ENDPOINT must be an http(s) URL, e.g. http://localhost:4566, got "${sesEndpoint}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    nodeId: env.NODE_ID || `node-${process.pid}`,
    redisPrefix: env.TICKR_REDIS_PREFIX || 'tickr:',
    leaseTtlMs: int(env, 'TICKR_LEASE_TTL_MS', leaseTtlMsDefault, 1_000, 60_000),
    advertiseHost: env.TICKR_ADVERTISE_HOST || '127.0.0.1',
    host: env.HOST || '0.0.0.0',
    port: int(env, 'PORT', 3000, 0, 65_535),
    internalPort: int(env, 'TICKR_INTERNAL_PORT', 4000, 0, 65_535),
    workers: int(env, 'TICKR_WORKERS', Math.max(1, availableParallelism() - 1), 1, 64),
    shards: int(env, 'TICKR_SHARDS', shardCount, 1, 1024),
    dataDir: resolve(env.TICKR_DATA_DIR || resolve(projectRoot, '.data')),
    embeddedPgPort: int(env, 'TICKR_EMBEDDED_PG_PORT', 54_329, 1024, 65_535),
    tokenSecret: new TextEncoder().encode(secret ?? crypto.randomUUID() + crypto.randomUUID()),
    tokenSecretEphemeral: secret === undefined,
    operatorEmail,
    operatorPassword,
    seedDemo: bool(env, 'TICKR_SEED_DEMO', true),
    benchRoutes: bool(env, 'TICKR_BENCH_ROUTES', false),
    flushDelayMs: int(env, 'TICKR_FLUSH_DELAY_MS', 0, 0, 100),
    flushesInFlight: int(env, 'TICKR_FLUSHES_IN_FLIGHT', flushesInFlightDefault, 1, flushesInFlightMax),
    snapshotEvery: int(env, 'TICKR_SNAPSHOT_EVERY', snapshotEveryEntries, 1, 10_000_000),
    logLevel,
    production: env.NODE_ENV === 'production',
    ticketServerKey: deriveServerKey(ticketKeySecret ?? randomBytes(48)),
    ticketKeySecretEphemeral: ticketKeySecret === null,
    sesRegion: env.TICKR_SES_REGION || null,
    sesEndpoint,
    mailFrom: env.TICKR_MAIL_FROM || 'Tickr <tickets@tickr.local>',
    publicUrl: (env.TICKR_PUBLIC_URL || 'http://localhost:5173').replace(/\/+$/, ''),
    platformFeeBps: int(env, 'TICKR_PLATFORM_FEE_BPS', 400, 0, 10_000),
    jobWorkers: bool(env, 'TICKR_JOB_WORKERS', true),
    apiPublicUrl: url(env, 'TICKR_API_PUBLIC_URL', env.TICKR_PUBLIC_URL || 'http://localhost:5173'),
    stripe: stripeConfig(env),
    clictopay: clictopayConfig(env),
  };
}
