import { startEmbeddedPostgres } from '../../engine/src/db/embedded.ts';

/*
 * Runs inside the Postgres namespace of a chaos run (`ip netns exec <ns> node
 * --import tsx test/chaos/pg_server.ts <dataDir> <host> <cidr>`): starts an
 * embedded PostgreSQL on <host>:5432 that lets <cidr> in, prints `ready <url>`,
 * and stops it on SIGTERM. The server inherits the namespace from this process.
 */
const [dataDir, host, cidr] = process.argv.slice(2);
if (!dataDir || !host || !cidr) {
  console.error('usage: pg_server.ts <dataDir> <host> <cidr>');
  process.exit(2);
}
const db = await startEmbeddedPostgres({ dataDir, port: 5432, persistent: false, listen: { host, allowCidr: cidr } });
console.log(`ready ${db.url}`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await db.stop().catch((error: Error) => console.error(`stopping PostgreSQL: ${error.message}`));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
setInterval(() => {}, 60_000);
