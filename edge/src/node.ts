import uWS from 'uWebSockets.js';
import { readConfig, type Config } from '../../engine/src/config.ts';
import { openDatabase } from '../../engine/src/db/open.ts';
import { migrate } from '../../engine/src/db/migrate.ts';
import { createLogger, type Logger } from '../../engine/src/log.ts';
import { startEngine } from '../../engine/src/node_engine.ts';
import { upsertOperator } from '../../engine/src/db/accounts.ts';
import { hashPassword } from './auth/passwords.ts';
import { seedDemo, type DemoCredentials } from './demo.ts';
import { createServer } from './server.ts';

export type RunningNode = { config: Config; port: number; demo: DemoCredentials | null; stop: () => Promise<void> };

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
  const config = readConfig(env);
  const log = createLogger(config);
  checkNativeUws(log);
  const database = await openDatabase(config, log);
  const report = await migrate(database.db);
  if (report.applied.length > 0) log('info', `applied migrations: ${report.applied.join(', ')}`);
  if (config.operatorEmail && config.operatorPassword) {
    await upsertOperator(database.db, config.operatorEmail, await hashPassword(config.operatorPassword), 'Operator');
  }
  if (config.redisUrl) log('info', `REDIS_URL is set: joining the cluster as ${config.nodeId} (internal port ${config.internalPort})`);
  if (config.tokenSecretEphemeral) log('warn', 'TICKR_TOKEN_SECRET is not set: tokens are signed with a random key and die with this process');
  const engine = await startEngine({ config, db: database.db, dbUrl: database.url, log });
  const server = createServer({ config, db: database.db, engine, log });
  const port = await server.listen();
  const demo = config.seedDemo ? await seedDemo(database.db, engine, config.shards) : null;

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      log('info', 'shutting down: no new connections, flushing the journal');
      server.close();
      await engine.close();
      await database.db.end();
      await database.embedded?.stop();
    })());
  return { config, port, demo, stop };
}
