/**
 * `tickr`: the operator's command.
 *   tickr start     one node (embedded Postgres when DATABASE_URL is unset), demo drop seeded
 *   tickr migrate   apply pending migrations and exit
 */
import { ConfigError, readConfig } from '../../engine/src/config.ts';
import { migrate } from '../../engine/src/db/migrate.ts';
import { openDatabase } from '../../engine/src/db/open.ts';
import { createLogger } from '../../engine/src/log.ts';
import { startNode } from './node.ts';

const usage = `usage: tickr <command>
  start     run a node: HTTP API on PORT (default 3000), migrations applied, demo drop seeded
  migrate   apply the migrations not yet applied, then exit`;

async function start(): Promise<void> {
  const node = await startNode();
  const base = `http://127.0.0.1:${node.port}`;
  const lines = [`Tickr node ${node.config.nodeId} listening on ${base}`, `  API        ${base}/api/events`, `  health     ${base}/health`, `  metrics    ${base}/metrics`];
  if (node.demo) {
    lines.push(
      `  demo drop  ${base}/api/events/${node.demo.eventId}`,
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
const commands: Record<string, () => Promise<void>> = { start, node: start, migrate: migrateOnly };
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
