/**
 * `tickr`: the operator's command.
 *   tickr start     one node (embedded Postgres when DATABASE_URL is unset), demo drop seeded
 *   tickr migrate   apply pending migrations and exit
 *   tickr jobs      the pg-boss job workers alone (DATABASE_URL, REDIS_URL and TICKR_CLUSTER_SECRET of the cluster)
 */
import { ConfigError, readConfig, type Config } from '../../engine/src/config.ts';
import { migrate } from '../../engine/src/db/migrate.ts';
import { openDatabase } from '../../engine/src/db/open.ts';
import { createLogger } from '../../engine/src/log.ts';
import { providersFor } from '../../engine/src/payments/providers.ts';
import { startNode } from './node.ts';
import { startJobsProcess } from './jobs_process.ts';
import { webPortDefault } from '../../storefront/serve.ts';

const usage = `usage: tickr <command>
  start     run a node: HTTP API on PORT (default 3000), migrations applied, demo drop seeded;
            with --storefront (as npm start does) the storefront too, on TICKR_WEB_PORT (default 5173)
  migrate   apply the migrations not yet applied, then exit
  jobs      run only the job workers (payments, tickets, email, refunds) against the cluster's DATABASE_URL, REDIS_URL and TICKR_CLUSTER_SECRET
  help      this text`;

/** Where texts go: SNS, the dev outbox, or nowhere (production without SNS: not offered to buyers). */
function smsBannerLine(config: Config, base: string): string {
  if (config.snsRegion !== null) return `Amazon SNS (${config.snsRegion})`;
  if (!config.production) return `dev SMS outbox at ${base}/api/dev/sms (this machine only)`;
  return 'off: TICKR_SNS_REGION is not set, so buyers are not offered SMS (those who chose it get email)';
}

async function start(): Promise<void> {
  // `npm start` passes --storefront: the storefront beside the API on TICKR_WEB_PORT (default 5173). Bench and
  // test nodes run plain `tickr start`: API only, unless they set TICKR_WEB_PORT.
  const web = process.argv.includes('--storefront') ? process.env.TICKR_WEB_PORT || String(webPortDefault) : process.env.TICKR_WEB_PORT;
  const node = await startNode({ ...process.env, TICKR_WEB_PORT: web });
  const base = `http://127.0.0.1:${node.port}`;
  const lines = [`Tickr node ${node.config.nodeId} listening on ${base}`, `  API        ${base}/api/events`, `  health     ${base}/health`, `  metrics    ${base}/metrics`];
  if (node.web) lines.push(`  storefront ${node.web.url}/`);
  lines.push(`  payments   ${providersFor(node.config).configured.join(', ') || 'none configured (set STRIPE_*, CLICTOPAY_* or KONNECT_*)'}`);
  lines.push(`  sms        ${smsBannerLine(node.config, base)}`);
  lines.push(node.config.production
    ? '  mode       production (NODE_ENV=production): no simulated payments, no demo seed, no dev mail'
    : `  mode       development: simulated payments on by default (no money moves), dev mail at ${base}/api/dev/mail (this machine only), secrets not set in the environment kept in ${node.config.dataDir}`);
  if (node.demo) {
    lines.push(
      `  demo drop  ${node.web ? `${node.web.url}/events/${node.demo.eventId}` : `${base}/api/events/${node.demo.eventId}`}`,
      `  organizer  ${node.demo.organizer.email} / ${node.demo.organizer.password}`,
      `  buyer      ${node.demo.participant.email} / ${node.demo.participant.password}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(1);
    process.stderr.write(`${signal}: stopping (again to force)\n`);
    node.stop().then(() => process.exit(0), (error) => {
      process.stderr.write(`shutdown failed: ${(error as Error).stack}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function migrateOnly(): Promise<void> {
  const config = readConfig();
  const log = createLogger(config);
  const database = await openDatabase(config, log);
  try {
    const report = await migrate(database.db);
    process.stdout.write(report.applied.length > 0 ? `applied: ${report.applied.join(', ')}\n` : `up to date (${report.skipped} applied before)\n`);
  } finally {
    await database.db.end();
    await database.embedded?.stop();
  }
}

const command = process.argv[2] ?? 'start';
async function jobsOnly(): Promise<void> {
  const running = await startJobsProcess();
  process.stdout.write('Tickr job workers running (payments, tickets, email, reminders, refunds)\n');
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(1);
    process.stderr.write(`${signal}: stopping the job workers (again to force)\n`);
    running.stop().then(() => process.exit(0), (error) => {
      process.stderr.write(`shutdown failed: ${(error as Error).stack}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function help(): Promise<void> {
  process.stdout.write(`${usage}\n`);
}

const commands: Record<string, () => Promise<void>> = { start, node: start, migrate: migrateOnly, jobs: jobsOnly, help, '--help': help };
const run = commands[command];
if (!run) {
  process.stderr.write(`unknown command "${command}"\n${usage}\n`);
  process.exit(2);
}
run().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`configuration: ${error.message}\n`);
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
