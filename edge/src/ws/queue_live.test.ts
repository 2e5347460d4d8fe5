import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readConfig } from '../../../engine/src/config.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { startEngine } from '../../../engine/src/node_engine.ts';
import { signQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';
import { queueKeyOf } from '../queue/keys.ts';
import { createServer, type Server } from '../server.ts';
import { closeCodes } from './queue_live.ts';

/**
 * Hundreds of real WebSocket clients (the `ws` package) on one in-process
 * node: they connect (ticket in the query or in a hello), receive ticks,
 * reconnect and resume, and every one of them hears the sell-out.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages are arbitrary JSON, asserted field by field
type Message = any;

let t: TestDatabase;
let engine: Engine;
let server: Server;
let port: number;
let key: Buffer;
let organizerToken: string;
let eventId: string;
let typeId: string;
const logged: string[] = [];
const waiters = 300;

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Message };
}

class Client {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | null = null;
  ws!: WebSocket;
  private waiting: (() => void)[] = [];

  constructor(readonly ticket: string | null, readonly inQuery: boolean) {}

  connect(): Promise<void> {
    const query = this.inQuery && this.ticket !== null ? `?queueTicket=${encodeURIComponent(this.ticket)}` : '';
    this.closed = null;
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/api/events/${eventId}/queue/live${query}`);
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        if (!this.inQuery) this.ws.send(JSON.stringify({ queueTicket: this.ticket }));
        resolve();
      });
      this.ws.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  /** Resolves when `check` holds over the messages so far (bounded wait; never asserts how long). */
  async until(check: (messages: Message[]) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!check(this.messages)) {
      if (Date.now() > deadline) throw new Error(`client gave up waiting for ${what}; got ${JSON.stringify(this.messages.slice(-3))}`);
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async closedWith(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== null, 'the close');
    return this.closed!;
  }

  close(): Promise<void> {
    if (this.closed !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

const ticks = (messages: Message[]) => messages.filter((m) => m.type === 'tick');

beforeAll(async () => {
  t = await freshDatabase();
  const config = readConfig({
    HOST: '127.0.0.1', PORT: '0', TICKR_WORKERS: '1', TICKR_SHARDS: '4', TICKR_TOKEN_SECRET: 'ws-test-secret-ws-test-secret-ws-test-42', TICKR_LOG_LEVEL: 'warn', NODE_ID: 'ws-test',
  });
  const log = (level: string, msg: string) => { logged.push(`${level} ${msg}`); };
  engine = await startEngine({ config, db: t.db, dbUrl: t.url, log });
  server = createServer({ config, db: t.db, engine, log });
  port = await server.listen();
  key = queueKeyOf(config.tokenSecret);
  const organizerId = randomUUID();
  await t.db.query(`INSERT INTO accounts (id, email, password_hash, name, role) VALUES ($1, $2, 'x', 'Org', 'organizer')`, [organizerId, `${organizerId}@test.tickr`]);
  await t.db.query(`INSERT INTO organizers (account_id, display_name) VALUES ($1, 'Org')`, [organizerId]);
  organizerToken = await server.tokens.sign({ sub: organizerId, role: 'organizer', name: 'Org' });
  const created = await call('POST', '/api/events', organizerToken, {
    name: 'Live drop', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), currency: 'EUR', perBuyerLimit: 1,
    ticketTypes: [{ name: 'General', price: 5_000, capacity: 50 }],
  });
  eventId = created.body.id;
  typeId = created.body.ticketTypes[0].id;
  expect((await call('PATCH', `/api/events/${eventId}/queue/settings`, organizerToken, { queueEnabled: true, admissionRatePerMinute: 60 })).status).toBe(200);
  // A few real joins, so the head has places to move over.
  for (let i = 0; i < 5; i++) {
    // A participant's row: tokens are checked against their account.
    const buyerId = randomUUID();
    await t.db.query(`INSERT INTO accounts (id, email, password_hash, name, role) VALUES ($1, $2, 'x', 'p', 'participant')`, [buyerId, `${buyerId}@test.tickr`]);
    const token = await server.tokens.sign({ sub: buyerId, role: 'participant', name: 'p' });
    await call('POST', `/api/events/${eventId}/queue`, token, {});
  }
});

afterAll(async () => {
  server?.close();
  await engine?.close();
  await t?.drop();
  expect(logged.filter((l) => l.includes('failed:'))).toEqual([]);
});

describe('ws /api/events/:id/queue/live', () => {
  const clients: Client[] = [];

  it(`${waiters} waiters connect, are greeted with their place, and receive ticks`, async () => {
    for (let place = 1; place <= waiters; place++) {
      const ticket = signQueueTicket({ eventId, place, buyer: randomUUID(), issuedAt: Date.now() }, key);
      clients.push(new Client(ticket, place % 2 === 0));
    }
    await Promise.all(clients.map((c) => c.connect()));
    await Promise.all(clients.map((c) => c.until((m) => ticks(m).length >= 2, 'two ticks')));
    for (const [i, c] of clients.entries()) {
      expect(c.messages[0]).toEqual({ type: 'welcome', eventId, place: i + 1 });
      const tick = ticks(c.messages).at(-1);
      expect(tick).toMatchObject({ type: 'tick', eventId, state: 'open', stockLeft: 50 });
      expect(typeof tick.head).toBe('number');
    }
    expect(server.queueLive.waiters()).toBe(waiters);
  });

  it('resumes after a reconnect with the same place and the latest tick at once', async () => {
    const some = clients.slice(0, 60);
    await Promise.all(some.map((c) => c.close()));
    for (const c of some) c.messages.length = 0;
    await Promise.all(some.map((c) => c.connect()));
    await Promise.all(some.map((c) => c.until((m) => m.length >= 2, 'welcome and the last tick')));
    for (const [i, c] of some.entries()) {
      expect(c.messages[0]).toEqual({ type: 'welcome', eventId, place: i + 1 });
      expect(c.messages[1]).toMatchObject({ type: 'tick', eventId });
    }
    expect(server.queueLive.waiters()).toBe(waiters);
  });

  it('closes malformed messages, refused tickets and tickets of another drop with a reason code', async () => {
    const malformed = new Client(null, false);
    await malformed.connect();
    malformed.ws.send('{not json');
    expect((await malformed.closedWith()).code).toBe(closeCodes.malformed);

    const [payload, mac] = clients[0]!.ticket!.split('.') as [string, string];
    const forged = new Client(`${payload}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`, true);
    await forged.connect();
    const closed = await forged.closedWith();
    expect(closed.code).toBe(closeCodes.ticketRefused);
    expect(closed.reason).toContain('forged');

    const elsewhere = new Client(signQueueTicket({ eventId: randomUUID(), place: 1, buyer: randomUUID(), issuedAt: Date.now() }, key), false);
    await elsewhere.connect();
    expect((await elsewhere.closedWith()).code).toBe(closeCodes.otherDrop);

    const chatty = clients[1]!;
    chatty.ws.send(JSON.stringify({ queueTicket: chatty.ticket }));
    expect((await chatty.closedWith()).code).toBe(closeCodes.malformed);
    chatty.messages.length = 0;
    await chatty.connect();
    await chatty.until((m) => m.some((x) => x.type === 'welcome'), 'the welcome after reconnecting');
  });

  it('tells every connected waiter about the sell-out', async () => {
    for (const c of clients) c.messages.length = 0;
    const patched = await call('PATCH', `/api/events/${eventId}`, organizerToken, { ticketTypes: [{ id: typeId, capacity: 0 }] });
    expect(patched.status).toBe(200);
    await Promise.all(clients.map((c) => c.until((m) => ticks(m).some((x) => x.state === 'sold_out'), 'the sell-out')));
    for (const c of clients) expect(ticks(c.messages).find((x) => x.state === 'sold_out')).toMatchObject({ stockLeft: 0, msPerPlace: null });
    await Promise.all(clients.map((c) => c.close()));
  });
});
