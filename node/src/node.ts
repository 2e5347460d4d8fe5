import uWS from 'uWebSockets.js';
import { readConfig, type Config } from '../../engine/src/config.ts';
import { withDevSecrets } from '../../engine/src/dev_secrets.ts';
import { openDatabase } from '../../engine/src/db/open.ts';
import { migrate } from '../../engine/src/db/migrate.ts';
import { createLogger, type Logger } from '../../engine/src/log.ts';
import { startEngine } from '../../engine/src/node_engine.ts';
import { selectAccountByEmail, upsertOperator } from '../../engine/src/db/accounts.ts';
import { hashPassword, verifyPassword } from '../../edge/src/auth/passwords.ts';
import { demoAccountsPresent, seedDemo, type DemoCredentials } from './demo.ts';
import { providersFor } from '../../engine/src/payments/providers.ts';
import type { Db } from '../../engine/src/db/pool.ts';
import { createServer } from '../../edge/src/server.ts';
import { storefrontProof } from '../../edge/src/http/client_address.ts';
import { startJobs } from '../../engine/src/jobs/boss.ts';
import { handlers } from '../../engine/src/jobs/handlers.ts';
import { startStorefront, storefrontPort, type RunningStorefront } from '../../storefront/serve.ts';
import { countSmsChoosers, smsStartupLine } from '../../engine/src/sms/notify.ts';

export type RunningNode = { config: Config; port: number; demo: DemoCredentials | null; web: RunningStorefront | null; stop: () => Promise<void> };

/** uWS falls back to a slow pure-JS server when its native binary does not load; say so loudly. */
function checkNativeUws(log: Logger): void {
  if (typeof (uWS as unknown as { H3App?: unknown }).H3App !== 'function') {
    log('error', '!!! uWebSockets.js native binary did NOT load: running on the JS fallback, expect a fraction of the throughput !!!');
  }
}

/**
 * One Tickr node: database (embedded when DATABASE_URL is unset), migrations,
 * the operator account from configuration, the engine and the edge. Stops in
 * the reverse order: stop accepting, let workers flush, close.
 */
export async function startNode(env: NodeJS.ProcessEnv = process.env): Promise<RunningNode> {
  const read = readConfig(env);
  const log = createLogger(read);
  // Development keeps its secrets in the data folder, so a restart keeps sessions and ticket keys; production has them from the environment.
  const config = await withDevSecrets(read, log);
  checkNativeUws(log);
  const database = await openDatabase(config, log);
  const report = await migrate(database.db);
  if (report.applied.length > 0) log('info', `applied migrations: ${report.applied.join(', ')}`);
  if (config.operatorEmail && config.operatorPassword) {
    // Unchanged since the last start: keep it, and the operator's sessions with it.
    const existing = await selectAccountByEmail(database.db, config.operatorEmail);
    const current = existing !== null && existing.role === 'operator' && existing.name === 'Operator' && await verifyPassword(config.operatorPassword, existing.passwordHash);
    if (!current) await upsertOperator(database.db, config.operatorEmail, await hashPassword(config.operatorPassword), 'Operator');
  }
  if (config.redisUrl) log('info', `REDIS_URL is set: joining the cluster as ${config.nodeId} (internal port ${config.internalPort})`);
  if (!config.production) log('info', 'development mode (NODE_ENV is not production): simulated payments, dev mail and SMS outboxes, demo seed; secrets kept in the data folder');
  if (config.production) await warnOfDevelopmentLeftovers(config, database.db, log);
  await sayWhereSmsGo(config, database.db, log);
  const engine = await startEngine({ config, db: database.db, dbUrl: database.url, log });
  // pg-boss after the engine (handlers send it commands); its workers here unless TICKR_JOB_WORKERS=false (`tickr jobs` runs them).
  const jobs = await startJobs({ dbUrl: database.url, log });
  if (config.jobWorkers) await jobs.work(handlers, { db: database.db, jobs, engine, config, log, now: Date.now });
  const server = createServer({ config, db: database.db, engine, log, jobs });
  const port = await server.listen();
  const demo = config.seedDemo ? await seedDemo(database.db, engine, config.shards) : null;
  // The storefront runs beside the edge when TICKR_WEB_PORT says so (`tickr start --storefront`, i.e. npm start, defaults it); a broken build leaves the API up.
  const webPort = storefrontPort(env);
  const web = webPort === null ? null : await startStorefront({ port: webPort, host: config.host, apiUrl: `http://127.0.0.1:${port}`, edgePort: port, proof: storefrontProof, log })
    .catch((error: unknown) => (log('error', `storefront not served: ${(error as Error).message}`), null));

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log('info', 'shutting down: no new connections, flushing the journal');
      await web?.close();
      server.close();
      // Jobs stop before the engine: a running handler may still be waiting for an answer from it.
      await jobs.stop();
      await engine.close();
      await database.db.end();
      await database.embedded?.stop();
    })());
  return { config, port, demo, web, stop };
}

/** Production starts without what development left behind being silently usable: say what to fix. */
/** Where texts go; in production without SNS, that SMS is not offered and how many buyers who chose it get email instead. */
async function sayWhereSmsGo(config: Config, db: Db, log: Logger): Promise<void> {
  const line = smsStartupLine(config);
  log(line.level, line.message);
  if (config.smsAvailable) return;
  const choosers = await countSmsChoosers(db);
  if (choosers > 0) log('warn', `${choosers} account(s) chose SMS notices; they get email until TICKR_SNS_REGION is set`);
}

async function warnOfDevelopmentLeftovers(config: Config, db: Db, log: Logger): Promise<void> {
  if (providersFor(config).configured.length === 0) log('warn', 'no payment provider is configured (STRIPE_* or CLICTOPAY_*): every checkout will be refused');
  const demo = await demoAccountsPresent(db);
  if (demo.length > 0) log('error', `demo accounts with public passwords exist in this database (${demo.join(', ')}): delete them or change their passwords`);
}
