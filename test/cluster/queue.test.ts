import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signQueueTicket } from '../../engine/src/queue/queue_ticket.ts';
import { shardOf } from '../../engine/src/shards.ts';
import { queueKeyOf } from '../../edge/src/queue/keys.ts';
import { createEvent, kill9, request, requestAny, signup, until, useCluster, waitForSpread, type ClusterNode } from '../../engine/src/testing/cluster.ts';

/*
 * The virtual queue on two real nodes: waiters connected to the node that does
 * not own the drop's shard get the same ticks as those on the owner (each node
 * asks the owner through the forward path); when the owner dies (kill -9), the
 * survivor takes the shard, every place stays with its buyer, and the
 * survivor's waiters go on getting ticks, then hear the sell-out.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages are arbitrary JSON
type Message = any;

/** The secret startCluster gives every node; the queue key derives from it. */
const key = queueKeyOf(new TextEncoder().encode('cluster-test-secret-cluster-test-secret-01'));

function waiter(node: ClusterNode, eventId: string, place: number): { messages: Message[]; ws: WebSocket } {
  const ticket = signQueueTicket({ eventId, place, buyer: randomUUID(), issuedAt: Date.now() }, key);
  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/api/events/${eventId}/queue/live?queueTicket=${encodeURIComponent(ticket)}`);
  const messages: Message[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  ws.on('error', () => {});
  return { messages, ws };
}

/** Each request from its own address (the nodes trust the test as their one proxy), so retries stay under the per-address join limit. */
let addresses = 0;
const xff = () => ({ 'x-forwarded-for': `198.51.100.${++addresses % 250}` });

describe('cluster: the virtual queue', () => {
  const env = useCluster({ nodes: 2, leaseTtlMs: 2_000, env: { TICKR_TRUST_PROXY: '1' } });

  it('ticks reach waiters on every node, places survive the owner\'s death, and the sell-out reaches the survivors', async () => {
    const c = env.cluster;
    await waitForSpread(c, { db: env.t.db });
    const organizer = await signup(c, 'organizer');
    const event = await createEvent(c, organizer.token, [{ name: 'General', price: 5_000, capacity: 30 }], 1);
    const set = await requestAny(c, 'PATCH', `/api/events/${event.id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true, admissionRatePerMinute: 120 } });
    expect(set.status).toBe(200);
    const buyers = await Promise.all(Array.from({ length: 4 }, (_, i) => signup(c, 'participant', `q${i}`)));
    const places = new Map<string, number>();
    for (const b of buyers) {
      const joined = await until(async () => {
        const a = await requestAny(c, 'POST', `/api/events/${event.id}/queue`, { token: b.token, body: {}, headers: xff() });
        return a.body.place !== null && a.body.place !== undefined ? a : undefined;
      }, 20_000, 'a place');
      places.set(b.id, joined.body.place);
    }

    const ownerId = (await c.owners()).get(shardOf(event.id, c.shards))!;
    const owner = c.node(ownerId);
    const other = c.running().find((n) => n.nodeId !== ownerId)!;
    const onOwner = Array.from({ length: 20 }, (_, i) => waiter(owner, event.id, i + 1));
    const onOther = Array.from({ length: 20 }, (_, i) => waiter(other, event.id, i + 1));
    const ticksOf = (w: { messages: Message[] }) => w.messages.filter((m) => m.type === 'tick');
    await until(async () => [...onOwner, ...onOther].every((w) => ticksOf(w).some((t) => t.head >= 2)), 20_000, 'ticks with the head moving on both nodes');

    await kill9(owner);
    let last = '';
    // The survivor takes the shard: the same buyers get the same places.
    for (const b of buyers) {
      const again = await until(async () => {
        const a = await request(other, 'POST', `/api/events/${event.id}/queue`, { token: b.token, body: {}, headers: xff() });
        last = `${a.status} ${JSON.stringify(a.body).slice(0, 200)}`;
        return a.status === 200 ? a : undefined;
      }, 30_000, 'the queue back after failover').catch((error: Error) => {
        throw new Error(`${error.message}; last answer ${last}\n${c.output()}`);
      });
      expect(again.body.place).toBe(places.get(b.id));
    }
    const seen = onOther.map((w) => ticksOf(w).length);
    await until(async () => onOther.every((w, i) => ticksOf(w).length > seen[i]! + 1), 20_000, 'ticks after failover');

    const patched = await request(other, 'PATCH', `/api/events/${event.id}`, { token: organizer.token, body: { ticketTypes: [{ id: event.typeIds[0], capacity: 0 }] } });
    expect(patched.status).toBe(200);
    await until(async () => onOther.every((w) => ticksOf(w).some((t) => t.state === 'sold_out')), 20_000, 'the sell-out on the survivor');
    for (const w of [...onOwner, ...onOther]) w.ws.terminate();
  }, 180_000);
});
