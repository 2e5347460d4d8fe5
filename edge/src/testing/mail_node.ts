import { readConfig, type Config } from '../../../engine/src/config.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import type { Jobs } from '../../../engine/src/jobs/queues.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { apiClient } from '../../../engine/src/testing/api.ts';
import { checkAnswer } from '../api/recorder.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { createServer, type Server } from '../server.ts';

export type MailNode = {
  t: TestDatabase;
  config: Config;
  engine: Engine;
  server: Server;
  api: ReturnType<typeof apiClient>;
  /** The email-send jobs queued (email ids): the outbox rows are in t.db. */
  sent: string[];
  /** Log lines at warn and above. */
  logged: string[];
  stop(): Promise<void>;
};

/**
 * A node whose email goes to the outbox table and stops there: its own
 * database, the real engine and edge, and a job queue that records what it was
 * asked to deliver. For tests of the routes that send links by email.
 */
export async function startMailNode(name: string): Promise<MailNode> {
  const t = await freshDatabase();
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', TICKR_LOG_LEVEL: 'warn', NODE_ID: name,
    TICKR_TOKEN_SECRET: `${name}-secret-${name}-secret-0123456789`, TICKR_PUBLIC_URL: 'http://shop.test',
  });
  const logged: string[] = [];
  const log = (level: string, msg: string) => {
    if (level !== 'debug' && level !== 'info') logged.push(`${level} ${msg}`);
  };
  const sent: string[] = [];
  const jobs: Jobs = {
    async send(queue, data) {
      if (queue === 'email-send') sent.push((data as { emailId: string }).emailId);
    },
    async sendMany(queue, many) {
      if (queue === 'email-send') for (const job of many) sent.push((job.data as { emailId: string }).emailId);
    },
  };
  const engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  const server = createServer({ config, db: t.db, engine, log, jobs });
  const base = `http://127.0.0.1:${await server.listen()}`;
  return {
    t, config, engine, server, api: apiClient(() => base, { onAnswer: checkAnswer }), sent, logged,
    async stop() {
      server.close();
      await engine.close();
      await t.drop();
    },
  };
}
