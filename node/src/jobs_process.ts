import { ConfigError, readConfig } from '../../engine/src/config.ts';
import { migrate } from '../../engine/src/db/migrate.ts';
import { createPool } from '../../engine/src/db/pool.ts';
import { startJobs } from '../../engine/src/jobs/boss.ts';
import { handlers } from '../../engine/src/jobs/handlers.ts';
import { connectRemoteEngine } from '../../engine/src/jobs/remote_engine.ts';
import { createLogger } from '../../engine/src/log.ts';
import { withDevSecrets } from '../../engine/src/dev_secrets.ts';
import { smsStartupLine } from '../../engine/src/sms/notify.ts';

/**
 * `tickr jobs`: the pg-boss workers alone, for an operator who wants them
 * apart from the nodes (and the nodes started with TICKR_JOB_WORKERS=false).
 * It owns no shard: engine commands (confirm, re-hold, refund stock) go to the
 * node that holds the shard, found through the cluster's Redis. So it needs
 * the shared DATABASE_URL, REDIS_URL and TICKR_CLUSTER_SECRET (the nodes
 * serve only peers that know it); a single node without Redis runs its jobs
 * itself.
 */
export async function startJobsProcess(env: NodeJS.ProcessEnv = process.env): Promise<{ stop: () => Promise<void> }> {
  const read = readConfig(env);
  if (read.databaseUrl === null) throw new ConfigError('tickr jobs needs DATABASE_URL: the nodes\' database (an embedded one belongs to its node)');
  if (read.redisUrl === null) throw new ConfigError('tickr jobs needs REDIS_URL: it reaches the inventory through the cluster (without Redis, the node runs its jobs itself)');
  const log = createLogger(read);
  // Ticket keys are sealed with the same secret the nodes use: in development, the one in this checkout's data folder.
  const config = await withDevSecrets(read, log);
  const db = createPool(read.databaseUrl);
  await migrate(db);
  const engine = await connectRemoteEngine(config, log);
  const jobs = await startJobs({ dbUrl: read.databaseUrl, log });
  await jobs.work(handlers, { db, jobs, engine, config, log, now: Date.now });
  const sms = smsStartupLine(config);
  log(sms.level, sms.message);
  log('info', 'job workers running: the payment sweeper, payment-confirmed, tickets-issue, email-send, sms-send, event-reminder, refund, payment-poll');
  let stopping: Promise<void> | null = null;
  return {
    stop: () => (stopping ??= (async () => {
      await jobs.stop();
      await engine.close();
      await db.end();
    })()),
  };
}
