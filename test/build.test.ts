import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../engine/src/testing/db.ts';
import { spawnNode, type NodeProcess } from '../engine/src/testing/kit.ts';

/*
 * The compiled build (`npm run build:node`: tsc to dist/) is what the Docker
 * image and a production `npm start` run. It must compile, and the node it
 * gives must start with nothing of tsx: its shard workers load the compiled
 * files (worker/boot.mjs registers tsx only for a .ts entry). The build here
 * skips the type check (--noCheck): `npm test` has run `npm run typecheck`
 * over the same files just before.
 */

const run = promisify(execFile);
const root = new URL('../', import.meta.url);
const production = { NODE_ENV: 'production', TICKR_TOKEN_SECRET: randomBytes(32).toString('hex'), TICKR_TICKET_KEY_SECRET: randomBytes(48).toString('base64') };

describe('the compiled build', () => {
  let t: TestDatabase;
  let node: NodeProcess;
  const api = apiClient(() => node.url);

  beforeAll(async () => {
    t = await freshDatabase();
    await run('npm', ['run', 'build:node', '--', '--noCheck'], { cwd: root, timeout: 170_000 });
  }, 180_000);
  afterAll(async () => {
    await node?.kill('SIGTERM');
    await t?.drop();
  });

  it('starts a production node from dist/ as the image does, whose workers serve every shard', { timeout: 180_000 }, async () => {
    node = await spawnNode({ dbUrl: t.url, args: ['dist/node/src/cli.js', 'start'], startTimeoutMs: 150_000, env: { ...production, TICKR_WORKERS: '2', TICKR_SHARDS: '8' } });
    expect(node.output()).toMatch(/mode\s+production/);
    const health = await api.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', shards: { owned: 8, total: 8 } });
    expect(health.body.workers.map((w: { alive: boolean }) => w.alive)).toEqual([true, true]);
    // A command that reaches an actor in a compiled worker and comes back.
    const organizer = await api.signup('organizer', 'org');
    const event = await api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 1_000, capacity: 5 }] });
    const buyer = await api.signup('participant', 'buyer');
    expect((await api.hold(buyer.token, event.id, event.typeIds[0]!, 2)).status).toBe(201);
  });

  it('is what `tickr` runs with NODE_ENV=production', async () => {
    const { stdout } = await run(process.execPath, ['node/bin/tickr.js', 'help'], { cwd: root, env: { ...process.env, ...production } });
    expect(stdout).toMatch(/^usage: tickr <command>/);
  });
});
