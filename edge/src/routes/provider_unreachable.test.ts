import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersNode, until, type OrdersNode } from '../testing/orders_node.ts';

/**
 * A payment provider that cannot be reached answers 502 `provider_error`, as
 * documented, never a 500, and the hold stays free to check out with another
 * provider (security issue #11). Stripe and Clictopay are pointed at a port
 * nothing listens on.
 */

let n: OrdersNode;
let organizer: { token: string; id: string };
let buyer: { token: string; id: string };

/** A port that was free a moment ago and that nothing listens on now: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await closedPort();
  n = await startOrdersNode({ env: { STRIPE_API_URL: `http://127.0.0.1:${port}`, CLICTOPAY_URL: `http://127.0.0.1:${port}/payment/rest` } });
  [organizer, buyer] = await Promise.all([n.api.signup('organizer', 'org'), n.api.signup('participant', 'buyer')]);
});

afterAll(async () => {
  const bugs = n?.logged.filter((l) => l.includes(' failed: ')) ?? [];
  await n?.stop();
  // No request ended as a 500 (route.ts logs those as "<route> failed: ...").
  expect(bugs).toEqual([]);
});

const checkout = (holdId: string, provider: string) => n.api.call('POST', `/api/holds/${holdId}/checkout`, { token: buyer.token, body: { provider } });

describe('a payment provider out of reach', () => {
  it.each([['stripe', 'EUR'], ['clictopay', 'TND']])('answers 502 provider_error for %s and lets the hold check out with another provider', async (provider, currency) => {
    const event = await n.api.createEvent(organizer.token, { currency, ticketTypes: [{ name: 'GA', price: 10_000, capacity: 3 }] });
    const hold = await n.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
    expect(hold.status).toBe(201);

    const refused = await checkout(hold.body.holdId, provider);
    expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 502, code: 'provider_error' });
    expect(refused.body.error.message).toMatch(/retry/);
    // Asking the same provider again is safe and answers the same.
    expect((await checkout(hold.body.holdId, provider)).status).toBe(502);

    const other = await checkout(hold.body.holdId, 'simulated');
    expect(other.status).toBeLessThan(300);
    expect(other.body).toMatchObject({ status: 'pending', provider: 'simulated', payment: { status: 'created' } });
    const session = other.body.payment.providerRef as string;
    expect(session).toMatch(/^sim_/);
    await n.api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'pay' } });
    await until(async () => (await n.api.call('GET', `/api/orders/${other.body.id}`, { token: buyer.token })).body.status === 'ticketed', 'tickets');
    // Once a session exists the order keeps its provider: a checkout with another answers the order as it is.
    const after = await checkout(hold.body.holdId, provider);
    expect(after.body).toMatchObject({ id: other.body.id, provider: 'simulated' });
  });
});
