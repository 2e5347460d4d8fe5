import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uWS from 'uWebSockets.js';
import WebSocket from 'ws';
import type { Engine } from '../../../engine/src/engine.ts';
import { queueTickPublishMs } from '../../../engine/src/queue/limits.ts';
import { signQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';
import type { QueueStatus } from '../../../engine/src/queue/types.ts';
import { closeCodes, mountQueueLive, type QueueLive } from './queue_live.ts';

/**
 * The WebSocket side alone, on a bare uWS app with a stand-in engine: the
 * hello deadline, and a client that stops reading skips ticks instead of
 * making the server buffer them.
 */

const eventId = randomUUID();
const key = randomBytes(32);
let app: uWS.TemplatedApp;
let listen: uWS.us_listen_socket;
let port: number;
let live: QueueLive;

function status(head: number): QueueStatus {
  return {
    eventId, state: 'open', head, placed: 1_000_000, joined: 1_000_000, drawn: true, stockLeft: 100, msPerPlace: 100, ratePerMinute: 600,
    headMovedAt: Date.now(), saleStartsAt: null, waitingRoomOpensAt: null, at: Date.now(),
  };
}

/** Listens on a free loopback port. */
function listenLocal(app: uWS.TemplatedApp): Promise<{ listen: uWS.us_listen_socket; port: number }> {
  return new Promise((resolve, reject) => app.listen('127.0.0.1', 0, (socket) => {
    if (socket === false) return reject(new Error('cannot listen on 127.0.0.1'));
    resolve({ listen: socket as uWS.us_listen_socket, port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket) });
  }));
}

beforeAll(async () => {
  app = uWS.App();
  const engine = { send: async () => ({ ok: true, kind: 'queue', answer: { ok: true, type: 'status', status: status(0) } }) } as unknown as Engine;
  live = mountQueueLive(app, { engine, key, log: () => {}, helloTimeoutMs: 300, pollMs: 60_000 });
  ({ listen, port } = await listenLocal(app));
});

afterAll(() => {
  live.close();
  uWS.us_listen_socket_close(listen);
});

function connect(query = ''): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events/${eventId}/queue/live${query}`);
  const messages: string[] = [];
  ws.on('message', (data) => messages.push(String(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('error', reject);
  });
}

describe('queue live, alone', () => {
  it('closes a client that never sends its queue ticket, saying why', async () => {
    const { closed } = await connect();
    const why = await closed;
    expect(why.code).toBe(closeCodes.helloTimeout);
    expect(why.reason).toContain('queue ticket');
  });

  it('refuses an unknown path id at the upgrade', async () => {
    await expect(new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events/not-a-uuid/queue/live`);
      ws.once('open', resolve);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode} ${String(res.headers['x-content-type-options'])}`)));
      ws.once('error', reject);
    })).rejects.toThrow('status 404 nosniff');
  });

  it('skips ticks to a client that stops reading, never closing it for that, and it catches up with the latest', async () => {
    const ticket = signQueueTicket({ eventId, place: 5, buyer: 'b', issuedAt: Date.now() }, key);
    const slow = await connect(`?queueTicket=${ticket}`);
    await new Promise<void>((resolve) => {
      const check = () => (slow.messages.length > 0 ? resolve() : setTimeout(check, 20));
      check();
    });
    // Stop reading: the kernel's buffers fill, then uWS's (maxBackpressure), then ticks are skipped.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const published = 50_000;
    for (let head = 1; head <= published; head++) live.publish(status(head));
    await new Promise((resolve) => setTimeout(resolve, 300));
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    // Ticks go on (about once a second in life); once its buffers drained, the client gets the latest again.
    let head = published;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (slow.messages.at(-1)?.includes(`"head":${head}`) && head > published) return resolve();
        live.publish(status(++head));
        setTimeout(check, 50);
      };
      check();
    });
    const ticks = slow.messages.filter((m) => m.startsWith('{"type":"tick"'));
    expect(ticks.length).toBeLessThan(published);
    expect(slow.ws.readyState).toBe(WebSocket.OPEN);
    slow.ws.close();
  });
});

describe('queue live for an event that does not exist', () => {
  const missing = randomUUID();
  const asked = new Map<string, number>();
  let app2: uWS.TemplatedApp;
  let listen2: uWS.us_listen_socket;
  let port2: number;
  let live2: QueueLive;

  beforeAll(async () => {
    app2 = uWS.App();
    // The owner of every shard, as the engine answers: the missing event is not found, the other one is.
    const engine = {
      send: async (cmd: { eventId: string }) => {
        asked.set(cmd.eventId, (asked.get(cmd.eventId) ?? 0) + 1);
        return cmd.eventId === missing ? { ok: false, reason: 'event_not_found' } : { ok: true, kind: 'queue', answer: { ok: true, type: 'status', status: status(0) } };
      },
    } as unknown as Engine;
    live2 = mountQueueLive(app2, { engine, key, log: () => {}, pollMs: 10 });
    ({ listen: listen2, port: port2 } = await listenLocal(app2));
  });

  afterAll(() => {
    live2.close();
    uWS.us_listen_socket_close(listen2);
  });

  function open(id: string, query = ''): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<{ code: number; reason: string }> }> {
    const ws = new WebSocket(`ws://127.0.0.1:${port2}/api/events/${id}/queue/live${query}`);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, messages, closed }));
      ws.once('error', reject);
    });
  }

  it('closes the socket with 4404 and never polls the event', async () => {
    // A real drop's waiter, to see the polls go round meanwhile.
    const real = await open(eventId, `?queueTicket=${signQueueTicket({ eventId, place: 1, buyer: 'b', issuedAt: Date.now() }, key)}`);
    const ghost = await open(missing);
    ghost.ws.send(JSON.stringify({ queueTicket: null }));
    const polledTwenty = new Promise<'polled'>((resolve) => {
      const check = () => ((asked.get(eventId) ?? 0) >= 20 ? resolve('polled') : setTimeout(check, 10));
      check();
    });
    const first = await Promise.race([ghost.closed, polledTwenty]);
    expect(first).toEqual({ code: closeCodes.eventNotFound, reason: 'no such event; check the event id' });
    await polledTwenty;
    // Asked once, at the hello; never again, while the real drop was polled twenty times.
    expect(asked.get(missing)).toBe(1);
    expect(ghost.messages).toEqual([]);
    expect(real.messages[0]).toContain('"type":"welcome"');
    real.ws.close();
  });
});

describe('queue live before the draw', () => {
  // The server's clock, moved by hand: 30 s pass without waiting for them.
  let clock = Date.now();
  let app3: uWS.TemplatedApp;
  let listen3: uWS.us_listen_socket;
  let port3: number;
  let live3: QueueLive;

  beforeAll(async () => {
    app3 = uWS.App();
    const waiting = { ...status(0), state: 'waiting', drawn: false, placed: 0, head: 0 };
    const engine = { send: async () => ({ ok: true, kind: 'queue', answer: { ok: true, type: 'status', status: waiting } }) } as unknown as Engine;
    live3 = mountQueueLive(app3, { engine, key, log: () => {}, now: () => clock, helloTimeoutMs: 300, pollMs: 60_000 });
    ({ listen: listen3, port: port3 } = await listenLocal(app3));
  });

  afterAll(() => {
    live3.close();
    uWS.us_listen_socket_close(listen3);
  });

  function open(query = ''): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<{ code: number; reason: string }> }> {
    const ws = new WebSocket(`ws://127.0.0.1:${port3}/api/events/${eventId}/queue/live${query}`);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, messages, closed }));
      ws.once('error', reject);
    });
  }

  it('keeps a watcher that said hello with a null ticket connected for 30 s, while a silent client is closed', async () => {
    const watcher = await open();
    watcher.ws.send(JSON.stringify({ queueTicket: null }));
    await new Promise<void>((resolve) => {
      const check = () => (watcher.messages.length >= 2 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(JSON.parse(watcher.messages[0]!)).toEqual({ type: 'welcome', eventId, place: null });
    expect(JSON.parse(watcher.messages[1]!)).toMatchObject({ type: 'tick', state: 'waiting', drawn: false });
    let watcherClosed = false;
    void watcher.closed.then(() => (watcherClosed = true));

    // A client that never says hello: once the sweep closed it, the sweep has run with the clock 30 s on.
    const silent = await open();
    clock += 30_000;
    expect((await silent.closed).code).toBe(closeCodes.helloTimeout);
    expect(watcherClosed).toBe(false);
    expect(watcher.ws.readyState).toBe(WebSocket.OPEN);
    expect(live3.waiters()).toBe(1);
    watcher.ws.close();
  });

  it('refuses the text "null" as a ticket in the query (what the page must never send)', async () => {
    const wrong = await open('?queueTicket=null');
    expect((await wrong.closed).code).toBe(closeCodes.ticketRefused);
  });
});

describe('queue live repeat ticks', () => {
  const drop = randomUUID();
  let clock = 1_000_000;
  let head = 1;
  let polls = 0;
  let push: (s: QueueStatus) => void = () => {};
  let app3: uWS.TemplatedApp;
  let listen3: uWS.us_listen_socket;
  let port3: number;
  let live3: QueueLive;
  const pollMs = 10;
  const at = (h: number): QueueStatus => ({ ...status(h), eventId: drop, headMovedAt: clock, at: clock });

  beforeAll(async () => {
    app3 = uWS.App();
    // The owner answers the current head; moves are pushed, as the owner's worker does. The node's clock is `clock`.
    const engine = {
      send: async () => {
        polls++;
        return { ok: true, kind: 'queue', answer: { ok: true, type: 'status', status: at(head) } };
      },
      onQueueStatus: (listener: (s: QueueStatus) => void) => void (push = listener),
    } as unknown as Engine;
    live3 = mountQueueLive(app3, { engine, key, log: () => {}, pollMs, now: () => clock });
    ({ listen: listen3, port: port3 } = await listenLocal(app3));
  });

  afterAll(() => {
    live3.close();
    uWS.us_listen_socket_close(listen3);
  });

  /** Resolves once the node has polled the owner `n` more times (each poll sees the clock as it is now). */
  function polled(n: number): Promise<void> {
    const target = polls + n;
    return new Promise((resolve) => {
      const check = () => (polls >= target ? resolve() : setTimeout(check, 5));
      check();
    });
  }

  it('sends no repeat between moves a period apart, and repeats a head that stands still', async () => {
    const ticket = signQueueTicket({ eventId: drop, place: 50, buyer: 'b', issuedAt: Date.now() }, key);
    const ws = new WebSocket(`ws://127.0.0.1:${port3}/api/events/${drop}/queue/live?queueTicket=${ticket}`);
    const heads: number[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; head?: number };
      if (m.type === 'tick') heads.push(m.head!);
    });
    /** Resolves once `n` ticks arrived (a socket keeps their order: a repeat sent before a move arrives before it). */
    const ticks = (n: number) => new Promise<void>((resolve) => {
      const check = () => (heads.length >= n ? resolve() : setTimeout(check, 5));
      check();
    });
    await ticks(1);
    // The head moves once a period: each poll in between finds the last tick a whole period old, but the head moving.
    for (let move = 0; move < 5; move++) {
      clock += queueTickPublishMs;
      await polled(3);
      push(at(++head));
      await ticks(head);
    }
    expect(heads).toEqual([1, 2, 3, 4, 5, 6]);
    // The head stands still: a repeat once it stood still a period and a poll, then one a period.
    clock += queueTickPublishMs + pollMs;
    await ticks(7);
    clock += queueTickPublishMs;
    await ticks(8);
    await polled(3);
    expect(heads).toEqual([1, 2, 3, 4, 5, 6, 6, 6]);
    ws.close();
  });
});
