import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../../engine/src/testing/db.ts';
import { startNode, type RunningNode } from './node.ts';
import { queueNames } from '../../engine/src/jobs/queues.ts';

/** `npm start`'s node runs the job workers itself: a payment becomes tickets with nothing else running. */

let t: TestDatabase;
let node: RunningNode;

beforeAll(async () => {
  t = await freshDatabase();
  node = await startNode({
    DATABASE_URL: t.url, HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', TICKR_SEED_DEMO: 'false',
    TICKR_LOG_LEVEL: 'error', NODE_ID: 'node-jobs-test', TICKR_INTERNAL_PORT: '0', TICKR_TOKEN_SECRET: 'node-jobs-test-secret-node-jobs-test-secret',
  });
});

afterAll(async () => {
  await node?.stop();
  await t?.drop();
});

describe('a node with its job workers', () => {
  it('takes a hold through checkout and payment to tickets, and stops cleanly', async () => {
    const api = apiClient(() => `http://127.0.0.1:${node.port}`);
    const organizer = await api.signup('organizer');
    const buyer = await api.signup('participant');
    const event = await api.createEvent(organizer.token);
    const hold = await api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
    const order = await api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: {} });
    expect(order.status).toBe(201);
    await api.call('POST', `/api/payments/simulated/${order.body.payment.providerRef}`, { token: buyer.token, body: { outcome: 'pay' } });
    const deadline = Date.now() + 25_000;
    let status = '';
    while (status !== 'ticketed' && Date.now() < deadline) {
      status = (await api.call('GET', `/api/orders/${order.body.id}`, { token: buyer.token })).body.status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('ticketed');
    const { rows } = await t.db.query(`SELECT count(*)::int AS c FROM pgboss.queue WHERE name LIKE '%-dead'`);
    // A dead-letter queue for every queue.
    expect(rows[0].c).toBe(queueNames.length);
  });
});
