import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSecretFiles } from '../engine/src/dev_secrets.ts';
import { apiClient } from '../engine/src/testing/api.ts';
import { spawnNode, type NodeProcess } from '../engine/src/testing/kit.ts';
import { freePort } from '../engine/src/testing/ports.ts';

/*
 * `npm start` as it comes (development, embedded PostgreSQL in the data
 * folder, no secrets set) crashes (kill -9) and starts again. A session from
 * before the restart still works after it, and a drop whose ticket key was
 * made before it still gets its tickets signed after it: the secrets were
 * kept in the data folder, not made up again.
 */

describe('a development node restarted on its data folder', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let node: NodeProcess | undefined;
  const api = apiClient(() => node!.url);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickr-restart-'));
    // Empty means unset: no secret from the environment, the development defaults decide.
    env = { NODE_ENV: '', TICKR_TOKEN_SECRET: '', TICKR_TICKET_KEY_SECRET: '', TICKR_DATA_DIR: dataDir, TICKR_EMBEDDED_PG_PORT: String(await freePort()), TICKR_WORKERS: '1' };
  });
  afterAll(async () => {
    // SIGTERM stops the node's embedded PostgreSQL with it.
    await node?.kill('SIGTERM');
    await stopLeftoverPostgres(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function orderStatus(token: string, orderId: string, want: string): Promise<string> {
    const deadline = Date.now() + 25_000;
    for (;;) {
      const status = (await api.call('GET', `/api/orders/${orderId}`, { token })).body.status as string;
      if (status === want || Date.now() > deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  // Two starts of a node with its embedded PostgreSQL (the first runs initdb) on a shared 2-core machine.
  it('keeps sessions and ticket keys across a kill -9', { timeout: 300_000 }, async () => {
    node = await spawnNode({ dbUrl: null, env, startTimeoutMs: 120_000 });
    // Development keeps the simulated provider as the default, and the start banner says so.
    expect(node.output()).toMatch(/payments\s+simulated\b/);
    expect(node.output()).toMatch(/mode\s+development: simulated payments on by default/);
    const organizer = await api.signup('organizer', 'org');
    const buyer = await api.signup('participant', 'buyer');
    const event = await api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 9_900, capacity: 20 }] });

    // The first order is ticketed before the crash: the event's key is made and sealed now.
    const first = await api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
    // No provider named: development's default, the simulated one.
    const firstOrder = await api.call('POST', `/api/holds/${first.body.holdId}/checkout`, { token: buyer.token, body: {} });
    expect(firstOrder.body.provider).toBe('simulated');
    await api.call('POST', `/api/payments/simulated/${firstOrder.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    expect(await orderStatus(buyer.token, firstOrder.body.id, 'ticketed')).toBe('ticketed');
    // The second is checked out before the crash and paid after it.
    const second = await api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
    const secondOrder = await api.call('POST', `/api/holds/${second.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } });
    expect(secondOrder.status).toBe(201);

    await node.kill('SIGKILL');
    node = await spawnNode({ dbUrl: null, env, startTimeoutMs: 120_000 });

    // The tokens minted by the first process are still good.
    const mine = await api.call('GET', '/api/orders', { token: buyer.token });
    expect(mine.status).toBe(200);
    expect(mine.body.orders).toHaveLength(2);
    expect((await api.call('GET', `/api/events/${event.id}/orders`, { token: organizer.token })).status).toBe(200);

    // The restarted node opens the key sealed before the crash and issues the tickets.
    const paid = await api.call('POST', `/api/payments/simulated/${secondOrder.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    expect(paid.body.status).toBe('succeeded');
    expect(await orderStatus(buyer.token, secondOrder.body.id, 'ticketed')).toBe('ticketed');
    const tickets = await api.call('GET', `/api/orders/${secondOrder.body.id}/tickets`, { token: buyer.token });
    expect(tickets.status).toBe(200);
    expect(JSON.stringify(tickets.body)).toMatch(/TK1:/);

    for (const name of Object.values(devSecretFiles)) expect((await stat(join(dataDir, name))).mode & 0o777).toBe(0o600);
  });
});

/** If a node died before it could stop its embedded PostgreSQL, stop that server (by the pid it recorded), so the test leaves nothing running. */
async function stopLeftoverPostgres(dataDir: string): Promise<void> {
  const pidFile = await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => null);
  const pid = Number(pidFile?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
