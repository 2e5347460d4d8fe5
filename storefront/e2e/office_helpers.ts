/**
 * Arranging the organizer and door-staff journeys through the edge's API:
 * a participant buys and pays (simulated provider), then waits for the
 * tickets-issue job to sign the tickets.
 */
import { randomUUID } from 'node:crypto';
import { call } from './harness.ts';

export type BoughtTicket = { id: string; typeName: string; holderName: string | null; secret: string; qr: { png: string } };

export async function buyTickets(api: string, auth: Record<string, string>, eventId: string, typeId: string, quantity: number) {
  const hold = await call<{ holdId: string }>(api, 'POST', `/api/events/${eventId}/holds`, { typeId, quantity }, { ...auth, 'idempotency-key': randomUUID() });
  const order = await call<{ id: string; payment: { providerRef: string } }>(api, 'POST', `/api/holds/${hold.holdId}/checkout`, { provider: 'simulated', locale: 'en' }, auth);
  await call(api, 'POST', `/api/payments/simulated/${order.payment.providerRef}`, { outcome: 'pay' }, auth);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { tickets } = await call<{ tickets: BoughtTicket[] }>(api, 'GET', `/api/orders/${order.id}/tickets`, undefined, auth);
    if (tickets.length === quantity && tickets.every((t) => t.secret)) return { orderId: order.id, tickets };
    if (Date.now() > deadline) throw new Error(`tickets of order ${order.id} not issued in time`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
