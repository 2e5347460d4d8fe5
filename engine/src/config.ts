import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  clusterSecretLengthMin, flushesInFlightDefault, flushesInFlightMax, leaseTtlMsDefault, shardCount, signupsPerAddressDefault, snapshotEveryEntries,
} from './constants.ts';
import { projectRoot } from './project_root.ts';
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
  /**
   * Test only (TICKR_TEST_CLOCK_SKEW_FILE, refused in production): a file
   * holding milliseconds added to the clock the lease keeper reads, re-read
   * while the node runs, so `npm run chaos` can jump one node's lease clock.
   */
  testClockSkewFile: string | null;
  /** The address other nodes use to reach this node's internal port. */
  advertiseHost: string;
  host: string;
  port: number;
  internalPort: number;
  /** Where the internal port listens: TICKR_INTERNAL_HOST; loopback alone, TICKR_ADVERTISE_HOST in a cluster. */
  internalHost: string;
  /** Keys the handshake every node-to-node connection starts with (TICKR_CLUSTER_SECRET); required with REDIS_URL. */
  clusterSecret: Buffer | null;
  workers: number;
  shards: number;
  dataDir: string;
  embeddedPgPort: number;
  /**
   * Signs access tokens (HS256). Required in production. Unset in development:
   * random here, then replaced by the one kept in the data folder
   * (engine/src/dev_secrets.ts) when a node or `tickr jobs` starts.
   */
  tokenSecret: Uint8Array;
  /** True while tokenSecret is a random stand-in (not from the environment or the data folder). */
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
  /** How commands cross to shard workers: structured clone (default) or msgpack frames (engine/src/node_engine.ts says why). */
  wire: 'clone' | 'msgpack';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * NODE_ENV=production: every development convenience is off (the simulated
   * payment provider, the demo seed, the dev mail outbox) and the secrets must
   * come from the environment.
   */
  production: boolean;
  /** Seals each event's private ticket key (derived from TICKR_TICKET_KEY_SECRET). Required in production; in development kept in the data folder like tokenSecret. */
  ticketServerKey: Buffer;
  ticketKeySecretEphemeral: boolean;
  /** A bearer token that opens /metrics to a scraper that is not on loopback (TICKR_METRICS_TOKEN); null: loopback and operators only. */
  metricsToken: string | null;
  /** SES when a region is set; otherwise email stays in the dev outbox. Credentials: the AWS SDK's default chain. */
  sesRegion: string | null;
  /** e.g. http://localhost:4566 for LocalStack. */
  sesEndpoint: string | null;
  mailFrom: string;
  /** SNS when a region is set (TICKR_SNS_REGION); otherwise SMS go to the dev outbox in development and are not offered in production. */
  snsRegion: string | null;
  /** TICKR_SNS_ENDPOINT, e.g. http://localhost:4566 for LocalStack. */
  snsEndpoint: string | null;
  /** TICKR_SMS_SENDER_ID: the alphanumeric sender shown where carriers allow one (1-11 letters and digits); null: the carrier's default. */
  smsSenderId: string | null;
  /** Whether buyers may choose SMS: SNS is configured, or this is development (dev SMS outbox). */
  smsAvailable: boolean;
  /** The storefront's address, for links in emails. */
  publicUrl: string;
  /** Platform fee of new events, basis points of each ticket's price (400 = 4 %). */
  platformFeeBps: number;
  /** Run the pg-boss job workers inside this node (`tickr jobs` runs them alone). */
  jobWorkers: boolean;
  /** Where a payment provider sends the buyer back (the edge's public address); default publicUrl. */
  apiPublicUrl: string;
  /** TICKR_WEB_SECURE_COOKIES: the deployment is served over TLS (Secure cookies, HSTS on the edge's answers). */
  secureTransport: boolean;
  stripe: { secretKey: string; webhookSecret: string; apiUrl: string | null } | null;
  clictopay: { username: string; password: string; url: string } | null;
  /** Konnect (e-Dinar, Tunisian cards, wallet): KONNECT_API_KEY and KONNECT_WALLET_ID, both or neither; KONNECT_URL defaults to the sandbox. */
  konnect: { apiKey: string; walletId: string; url: string } | null;
  /**
   * Which peers may name the client in X-Forwarded-For (TICKR_TRUST_PROXY): a
   * hop count (0, the default: none, the peer is the client) or a list of
   * addresses and CIDR ranges. The node's own storefront is trusted apart,
   * by a per-process secret (edge/src/http/client_address.ts).
   */
  trustProxy: TrustProxy;
  /** Sign-ups accepted per client address per `signupWindowMs` (TICKR_SIGNUPS_PER_ADDRESS). */
  signupsPerAddress: number;
  /**
   * Where poster renditions are kept (#14): an S3 bucket when
   * TICKR_POSTER_S3_BUCKET is set (credentials: the AWS SDK's default chain),
   * otherwise the folder `posters` of the data folder (one node only: other
   * nodes would not find what this one stored).
   */
  posterStore: PosterStoreConfig;
};

export type PosterStoreConfig =
  | { kind: 'local'; dir: string }
  | { kind: 's3'; bucket: string; region: string; /** e.g. http://localhost:4566 for LocalStack; null: AWS. */ endpoint: string | null; pathStyle: boolean };

/** `hops`: trust that many proxies in front of the node; `cidrs`: trust peers in these ranges, e.g. `10.0.0.0/8`. */
export type TrustProxy = { hops: number } | { cidrs: string[] };

/** TICKR_WIRE: a typo is refused, never quietly read as the default. */
function wireSetting(env: NodeJS.ProcessEnv): Config['wire'] {
  const raw = env.TICKR_WIRE || 'clone';
  if (raw !== 'clone' && raw !== 'msgpack') throw new ConfigError(`TICKR_WIRE must be clone or msgpack, got "${raw}"`);
  return raw;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

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

function konnectConfig(env: NodeJS.ProcessEnv): Config['konnect'] {
  const apiKey = env.KONNECT_API_KEY || '';
  const walletId = env.KONNECT_WALLET_ID || '';
  if (apiKey === '' && walletId === '') return null;
  if (apiKey === '' || walletId === '') throw new ConfigError('KONNECT_API_KEY and KONNECT_WALLET_ID go together: set both or neither');
  return { apiKey, walletId, url: url(env, 'KONNECT_URL', 'https://api.sandbox.konnect.network') };
}

/** SNS settings: an endpoint or sender id without a region would be ignored, so it is refused. */
function smsConfig(env: NodeJS.ProcessEnv, production: boolean): Pick<Config, 'snsRegion' | 'snsEndpoint' | 'smsSenderId' | 'smsAvailable'> {
  const snsRegion = env.TICKR_SNS_REGION || null;
  const snsEndpoint = env.TICKR_SNS_ENDPOINT || null;
  const smsSenderId = env.TICKR_SMS_SENDER_ID || null;
  if (snsRegion !== null && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(snsRegion)) throw new ConfigError(`TICKR_SNS_REGION must be an AWS region such as eu-west-1, got "${snsRegion}"`);
  if (snsEndpoint !== null && !/^https?:\/\/[^\s]+$/.test(snsEndpoint)) {
    throw new ConfigError(`TICKR_SNS_ENDPOINT must be an http(s) URL, e.g. http://localhost:4566, got "${snsEndpoint}"`);
  }
  if (smsSenderId !== null && !/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/.test(smsSenderId)) {
    throw new ConfigError(`TICKR_SMS_SENDER_ID must be 1 to 11 letters and digits with at least one letter (e.g. Tickr), got "${smsSenderId}"`);
  }
  if (snsRegion === null && (snsEndpoint !== null || smsSenderId !== null)) {
    throw new ConfigError('TICKR_SNS_ENDPOINT and TICKR_SMS_SENDER_ID need TICKR_SNS_REGION: set the region too, or unset them');
  }
  return { snsRegion, snsEndpoint, smsSenderId, smsAvailable: snsRegion !== null || !production };
}

/** TICKR_POSTER_S3_* (bucket, region, endpoint, path style), or the data folder. */
function posterStoreConfig(env: NodeJS.ProcessEnv, dataDir: string): PosterStoreConfig {
  const bucket = env.TICKR_POSTER_S3_BUCKET || null;
  const others = ['TICKR_POSTER_S3_REGION', 'TICKR_POSTER_S3_ENDPOINT', 'TICKR_POSTER_S3_PATH_STYLE'].filter((name) => env[name]);
  if (bucket === null) {
    if (others.length > 0) throw new ConfigError(`${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} set but TICKR_POSTER_S3_BUCKET is not: set the bucket too, or unset them to keep posters in the data folder`);
    return { kind: 'local', dir: resolve(dataDir, 'posters') };
  }
  // S3's own rule for bucket names (3-63 lower-case letters, digits, dots, hyphens), so a typo fails at start, not at the first upload.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(`TICKR_POSTER_S3_BUCKET must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens), got "${bucket}"`);
  }
  const endpoint = env.TICKR_POSTER_S3_ENDPOINT ? url(env, 'TICKR_POSTER_S3_ENDPOINT', '') : null;
  const region = env.TICKR_POSTER_S3_REGION || 'us-east-1';
  if (!/^[a-z0-9-]+$/.test(region)) throw new ConfigError(`TICKR_POSTER_S3_REGION must be an AWS region such as eu-west-3, got "${region}"`);
  // LocalStack and most S3 look-alikes answer only path-style requests (http://host/bucket/key).
  return { kind: 's3', bucket, region, endpoint, pathStyle: bool(env, 'TICKR_POSTER_S3_PATH_STYLE', endpoint !== null) };
}

/** At least this long, so the secrets cannot be guessed; the same floor for every secret a deployment sets. */
export const secretCharsMin = 32;

/**
 * Production never invents a secret: a random one would end every session
 * and strand every ticket key at the next restart, and a shared default
 * (once in docker-compose) lets anyone forge an operator's token.
 */
function requireProductionSecrets(env: NodeJS.ProcessEnv): void {
  const missing = ['TICKR_TOKEN_SECRET', 'TICKR_TICKET_KEY_SECRET'].filter((name) => !env[name]);
  if (missing.length === 0) return;
  throw new ConfigError(
    `NODE_ENV=production needs ${missing.join(' and ')}: set ${missing.length > 1 ? 'each' : 'it'} to ${secretCharsMin}+ random characters ` +
    '(openssl rand -base64 48), the same on every node, kept across restarts',
  );
}

/** The demo seed publishes its accounts' passwords: a convenience production refuses rather than ignores. */
function seedDemoSetting(env: NodeJS.ProcessEnv, production: boolean): boolean {
  const seed = bool(env, 'TICKR_SEED_DEMO', !production);
  if (seed && production) throw new ConfigError('TICKR_SEED_DEMO=1 seeds demo accounts whose passwords are public; unset it (or set 0) with NODE_ENV=production');
  return seed;
}

function metricsTokenSetting(env: NodeJS.ProcessEnv): string | null {
  const token = env.TICKR_METRICS_TOKEN || null;
  if (token !== null && token.length < secretCharsMin) throw new ConfigError(`TICKR_METRICS_TOKEN must be at least ${secretCharsMin} characters long (openssl rand -hex 24)`);
  return token;
}

/** TICKR_TRUST_PROXY: unset or 0 (trust no proxy), a hop count, or a comma-separated list of addresses and CIDR ranges. */
function trustProxy(env: NodeJS.ProcessEnv): TrustProxy {
  const raw = (env.TICKR_TRUST_PROXY ?? '').trim();
  if (raw === '') return { hops: 0 };
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError(`TICKR_TRUST_PROXY as a hop count must be from 0 to 10, got "${raw}"`);
    return { hops };
  }
  const cidrs = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const cidr of cidrs) {
    const [address = '', prefix, extra] = cidr.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(`TICKR_TRUST_PROXY must be a hop count or a comma-separated list of addresses and CIDR ranges (e.g. 10.0.0.0/8,::1); "${cidr}" is neither`);
    }
  }
  return { cidrs };
}

/**
 * The internal port and its secret. In a cluster every node and `tickr jobs`
 * must share TICKR_CLUSTER_SECRET, in development as in production: the port
 * runs any engine command it is sent. It listens where peers are told to
 * reach it (TICKR_ADVERTISE_HOST) unless TICKR_INTERNAL_HOST says otherwise
 * (0.0.0.0 when the advertised address is not one of this machine's, as
 * behind NAT; docker-compose sets it so, the port being unpublished).
 * Alone, a node never opens it; were it to, loopback is the only place.
 */
function clusterConfig(env: NodeJS.ProcessEnv, advertiseHost: string): Pick<Config, 'internalHost' | 'clusterSecret'> {
  const clustered = Boolean(env.REDIS_URL);
  const raw = env.TICKR_CLUSTER_SECRET || null;
  if (raw === null && clustered) {
    throw new ConfigError(
      `TICKR_CLUSTER_SECRET must be set when REDIS_URL is set: nodes authenticate each other with it. Give every node and tickr jobs the same value, at least ${clusterSecretLengthMin} characters (e.g. openssl rand -base64 48)`,
    );
  }
  if (raw !== null && raw.length < clusterSecretLengthMin) {
    throw new ConfigError(`TICKR_CLUSTER_SECRET must be at least ${clusterSecretLengthMin} characters long (e.g. openssl rand -base64 48)`);
  }
  const internalHost = env.TICKR_INTERNAL_HOST || (clustered ? advertiseHost : '127.0.0.1');
  if (isIP(internalHost) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(internalHost)) {
    throw new ConfigError(`TICKR_INTERNAL_HOST must be an IP address or a host name (e.g. 10.0.0.5, or 0.0.0.0 for every interface), got "${internalHost}"`);
  }
  return { internalHost, clusterSecret: raw === null ? null : Buffer.from(raw, 'utf8') };
}

/** TICKR_TOKEN_SECRET, or a random stand-in until dev_secrets.ts replaces it (development). */
function tokenConfig(env: NodeJS.ProcessEnv): Pick<Config, 'tokenSecret' | 'tokenSecretEphemeral'> {
  const secret = env.TICKR_TOKEN_SECRET || undefined;
  if (secret !== undefined && secret.length < secretCharsMin) {
    throw new ConfigError(`TICKR_TOKEN_SECRET must be at least ${secretCharsMin} characters long (openssl rand -base64 48)`);
  }
  return {
    tokenSecret: new TextEncoder().encode(secret ?? crypto.randomUUID() + crypto.randomUUID()),
    tokenSecretEphemeral: secret === undefined,
  };
}

function operatorConfig(env: NodeJS.ProcessEnv): Pick<Config, 'operatorEmail' | 'operatorPassword'> {
  const operatorEmail = env.TICKR_OPERATOR_EMAIL || null;
  const operatorPassword = env.TICKR_OPERATOR_PASSWORD || null;
  if ((operatorEmail === null) !== (operatorPassword === null)) {
    throw new ConfigError('TICKR_OPERATOR_EMAIL and TICKR_OPERATOR_PASSWORD go together: set both or neither');
  }
  if (operatorPassword !== null && operatorPassword.length < 10) {
    throw new ConfigError('TICKR_OPERATOR_PASSWORD must be at least 10 characters long');
  }
  return { operatorEmail, operatorPassword };
}

function logLevelSetting(env: NodeJS.ProcessEnv): Config['logLevel'] {
  const logLevel = (env.TICKR_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`TICKR_LOG_LEVEL must be one of debug, info, warn, error, got "${logLevel}"`);
  }
  return logLevel;
}

/** The ticket server key, from TICKR_TICKET_KEY_SECRET or from random bytes until dev_secrets.ts replaces it (development). */
function ticketKeyConfig(env: NodeJS.ProcessEnv): Pick<Config, 'ticketServerKey' | 'ticketKeySecretEphemeral'> {
  const ticketKeySecret = env.TICKR_TICKET_KEY_SECRET || null;
  if (ticketKeySecret !== null && Buffer.byteLength(ticketKeySecret) < serverSecretBytesMin) {
    throw new ConfigError(`TICKR_TICKET_KEY_SECRET must be at least ${serverSecretBytesMin} bytes; generate one with openssl rand -base64 48`);
  }
  return {
    ticketServerKey: deriveServerKey(ticketKeySecret ?? randomBytes(48)),
    ticketKeySecretEphemeral: ticketKeySecret === null,
  };
}

function mailConfig(env: NodeJS.ProcessEnv): Pick<Config, 'sesRegion' | 'sesEndpoint' | 'mailFrom'> {
  const sesEndpoint = env.TICKR_SES_ENDPOINT || null;
  if (sesEndpoint !== null && !/^https?:\/\/[^\s]+$/.test(sesEndpoint)) {
    throw new ConfigError(`TICKR_SES_ENDPOINT must be an http(s) URL, e.g. http://localhost:4566, got "${sesEndpoint}"`);
  }
  return {
    sesRegion: env.TICKR_SES_REGION || null,
    sesEndpoint,
    mailFrom: env.TICKR_MAIL_FROM || 'Tickr <tickets@tickr.local>',
  };
}

function testClockSkewSetting(env: NodeJS.ProcessEnv, production: boolean): string | null {
  const testClockSkewFile = env.TICKR_TEST_CLOCK_SKEW_FILE || null;
  if (testClockSkewFile !== null && production) {
    throw new ConfigError('TICKR_TEST_CLOCK_SKEW_FILE skews the lease clock for fault tests (npm run chaos); unset it with NODE_ENV=production');
  }
  return testClockSkewFile;
}

/* The settings are checked in this order, so that of several bad ones the same is named first. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  if (production) requireProductionSecrets(env);
  const token = tokenConfig(env);
  const operator = operatorConfig(env);
  const logLevel = logLevelSetting(env);
  const ticketKey = ticketKeyConfig(env);
  const mail = mailConfig(env);
  const advertiseHost = env.TICKR_ADVERTISE_HOST || '127.0.0.1';
  const sms = smsConfig(env, production);
  const dataDir = resolve(env.TICKR_DATA_DIR || resolve(projectRoot, '.data'));
  const testClockSkewFile = testClockSkewSetting(env, production);
  return {
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    nodeId: env.NODE_ID || `node-${process.pid}`,
    redisPrefix: env.TICKR_REDIS_PREFIX || 'tickr:',
    leaseTtlMs: int(env, 'TICKR_LEASE_TTL_MS', leaseTtlMsDefault, 1_000, 60_000),
    testClockSkewFile,
    advertiseHost,
    host: env.HOST || '0.0.0.0',
    port: int(env, 'PORT', 3000, 0, 65_535),
    internalPort: int(env, 'TICKR_INTERNAL_PORT', 4000, 0, 65_535),
    ...clusterConfig(env, advertiseHost),
    workers: int(env, 'TICKR_WORKERS', Math.max(1, availableParallelism() - 1), 1, 64),
    shards: int(env, 'TICKR_SHARDS', shardCount, 1, 1024),
    dataDir,
    embeddedPgPort: int(env, 'TICKR_EMBEDDED_PG_PORT', 54_329, 1024, 65_535),
    ...token,
    ...operator,
    seedDemo: seedDemoSetting(env, production),
    benchRoutes: bool(env, 'TICKR_BENCH_ROUTES', false),
    flushDelayMs: int(env, 'TICKR_FLUSH_DELAY_MS', 0, 0, 100),
    flushesInFlight: int(env, 'TICKR_FLUSHES_IN_FLIGHT', flushesInFlightDefault, 1, flushesInFlightMax),
    snapshotEvery: int(env, 'TICKR_SNAPSHOT_EVERY', snapshotEveryEntries, 1, 10_000_000),
    wire: wireSetting(env),
    logLevel,
    production,
    ...ticketKey,
    metricsToken: metricsTokenSetting(env),
    ...mail,
    ...sms,
    publicUrl: (env.TICKR_PUBLIC_URL || 'http://localhost:5173').replace(/\/+$/, ''),
    platformFeeBps: int(env, 'TICKR_PLATFORM_FEE_BPS', 400, 0, 10_000),
    jobWorkers: bool(env, 'TICKR_JOB_WORKERS', true),
    apiPublicUrl: url(env, 'TICKR_API_PUBLIC_URL', env.TICKR_PUBLIC_URL || 'http://localhost:5173'),
    secureTransport: bool(env, 'TICKR_WEB_SECURE_COOKIES', false),
    stripe: stripeConfig(env),
    clictopay: clictopayConfig(env),
    konnect: konnectConfig(env),
    trustProxy: trustProxy(env),
    signupsPerAddress: int(env, 'TICKR_SIGNUPS_PER_ADDRESS', signupsPerAddressDefault, 1, 1_000_000),
    posterStore: posterStoreConfig(env, dataDir),
  };
}
