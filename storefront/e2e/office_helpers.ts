/**
 * Arranging the organizer and door-staff journeys through the edge's API:
 * a participant buys and pays (simulated provider), then waits for the
 * tickets-issue job to sign the tickets.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
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

/**
 * Invites a staff member and uses the emailed link as they would: the
 * organizer never chooses the password (#11). The link is read from the dev
 * outbox, which renders the email in the same transaction as the invite.
 */
export async function inviteStaff(api: string, auth: Record<string, string>, eventId: string, staff: { email: string; password: string; name: string }) {
  await call(api, 'POST', `/api/events/${eventId}/staff`, { email: staff.email, name: staff.name }, auth);
  const { emails } = await call<{ emails: { template: string; text: string }[] }>(api, 'GET', `/api/dev/mail?to=${encodeURIComponent(staff.email)}`);
  const token = emails.find((e) => e.template === 'staff_invite')?.text.match(/[?&]token=([A-Za-z0-9_%-]+)/)?.[1];
  if (token === undefined) throw new Error(`no staff invite email to ${staff.email}`);
  await call(api, 'POST', '/api/auth/set-password', { token: decodeURIComponent(token), password: staff.password });
}

/**
 * A Y4M video (what Chromium's fake camera plays: --use-file-for-fake-video-capture)
 * of one QR code on white, drawn straight from the code's modules, so the
 * scanner's real camera path (getUserMedia, frames, decoder) reads a ticket.
 */
export async function qrVideo(text: string, path: string, size = 640): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const module = Math.floor((size * 0.85) / (n + 8));
  const offset = Math.floor((size - n * module) / 2);
  const y = Buffer.alloc(size * size, 235);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < module; dy++) y.fill(16, (offset + r * module + dy) * size + offset + c * module, (offset + r * module + dy) * size + offset + (c + 1) * module);
    }
  }
  const chroma = Buffer.alloc((size / 2) * (size / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  await writeFile(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}
