import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig, type Config } from '../../../engine/src/config.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startJobs, type Handlers, type JobsRuntime } from '../../../engine/src/jobs/boss.ts';
import { handlers as realHandlers } from '../../../engine/src/jobs/handlers.ts';
import type { JobDeps } from '../../../engine/src/jobs/queues.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { startClictopayDouble, type ClictopayDouble } from '../../../engine/src/testing/payments/clictopay_double.ts';
import { startKonnectDouble, type KonnectDouble } from '../../../engine/src/testing/payments/konnect_double.ts';
import { startStripeDouble, type StripeDouble } from '../../../engine/src/testing/payments/stripe_double.ts';
import { apiClient } from '../../../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { createServer, type Server } from '../server.ts';
import { checkAnswer } from '../api/recorder.ts';

export const stripeWebhookSecret = 'whsec_tickr_test_secret';

export type OrdersNode = {
  t: TestDatabase;
  /** The environment `config` was read from, for a test that reads another (e.g. NODE_ENV=production) from it. */
  env: Record<string, string>;
  config: Config;
  engine: Engine;
  jobs: JobsRuntime;
  deps: JobDeps;
  server: Server;
  base: string;
  api: ReturnType<typeof apiClient>;
  stripe: StripeDouble;
  clictopay: ClictopayDouble;
  konnect: KonnectDouble;
  /** Log lines at warn and above. */
  logged: string[];
  stop(): Promise<void>;
};

/**
 * A node as `npm start` runs it, for tests of orders and payments: its own
 * database, the real engine, pg-boss with the real job handlers, the edge on a
 * free port, and local doubles of Stripe, Clictopay and Konnect it is configured for.
 */
export async function startOrdersNode(opts: { handlers?: Partial<Handlers>; env?: Record<string, string>; retry?: Parameters<typeof startJobs>[0]['retry'] } = {}): Promise<OrdersNode> {
  const t = await freshDatabase();
  const stripe = await startStripeDouble();
  const clictopay = await startClictopayDouble();
  const konnect = await startKonnectDouble();
  // A data folder of its own (posters go there), never the project's.
  const dataDir = await mkdtemp(join(tmpdir(), 'tickr-orders-node-'));
  const env: Record<string, string> = {
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', NODE_ID: 'orders-test',
    TICKR_TOKEN_SECRET: 'orders-test-secret-orders-test-secret-1', TICKR_LOG_LEVEL: 'warn',
    TICKR_PUBLIC_URL: 'http://shop.test', TICKR_API_PUBLIC_URL: 'http://api.test',
    STRIPE_SECRET_KEY: 'sk_test_tickr', STRIPE_WEBHOOK_SECRET: stripeWebhookSecret, STRIPE_API_URL: stripe.url,
    CLICTOPAY_USERNAME: clictopay.username, CLICTOPAY_PASSWORD: clictopay.password, CLICTOPAY_URL: clictopay.url,
    KONNECT_API_KEY: konnect.apiKey, KONNECT_WALLET_ID: konnect.walletId, KONNECT_URL: konnect.url,
    TICKR_DATA_DIR: dataDir,
    ...opts.env,
  };
  const config = readConfig(env);
  const logged: string[] = [];
  const log = (level: string, msg: string) => {
    if (level !== 'debug' && level !== 'info') logged.push(`${level} ${msg}`);
  };
  const engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  const jobs = await startJobs({ dbUrl: t.url, log, poolMax: 4, ...(opts.retry ? { retry: opts.retry } : {}) });
  const deps: JobDeps = { db: t.db, jobs, engine, config, log, now: Date.now };
  // A queue whose handler a test replaces loses its batch handler too, so the test's handler sees every job.
  const batch = Object.fromEntries(Object.entries(realHandlers.batch ?? {}).filter(([queue]) => !(queue in (opts.handlers ?? {}))));
  await jobs.work({ ...realHandlers, ...opts.handlers, batch }, deps);
  const server = createServer({ config, db: t.db, engine, log, jobs });
  const base = `http://127.0.0.1:${await server.listen()}`;
  return {
    t, env, config, engine, jobs, deps, server, base, api: apiClient(() => base, { onAnswer: checkAnswer }), stripe, clictopay, konnect, logged,
    async stop() {
      server.close();
      await jobs.stop();
      await engine.close();
      await stripe.close();
      await clictopay.close();
      await konnect.close();
      await t.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits for `check` to hold; the tests never assert how long it takes. */
export async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms = 25_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
