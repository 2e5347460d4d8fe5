import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reconnectGraceMs, watchQueue, type Connection, type QueueSocket } from './live.ts';

/**
 * The page's side of `ws /api/events/:id/queue/live`, against a fake edge
 * that answers the way edge/src/ws/queue_live.ts does (a ticket in the query
 * or the hello, `null` to watch, 4401 for a refused ticket, 4408 without a
 * hello in 5 s), on a fake clock: 30 or 45 s pass without waiting for them.
 */

type Behaviour = 'edge' | 'closeAtOnce' | 'refuse';

class FakeSocket implements QueueSocket {
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  readonly sent: string[] = [];
  closed = false;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly url: string, private readonly behaviour: Behaviour) {
    setTimeout(() => {
      const inQuery = new URL(url).searchParams.get('queueTicket');
      if (inQuery === null) this.helloTimer = setTimeout(() => this.serverClose(4408), 5_000);
      this.onopen?.();
      if (behaviour === 'closeAtOnce') return this.serverClose(1011);
      if (inQuery !== null) this.hello(inQuery);
    }, 20);
    if (behaviour === 'refuse') this.hello = () => this.serverClose(4401);
  }

  send(text: string): void {
    this.sent.push(text);
    clearTimeout(this.helloTimer);
    // A server that closes at once never answers the hello.
    if (this.behaviour !== 'closeAtOnce') this.hello((JSON.parse(text) as { queueTicket: string | null }).queueTicket);
  }

  /** Like the edge: null watches; a ticket that does not verify (such as the text "null") is refused. */
  private hello(ticket: string | null): void {
    if (ticket !== null && !ticket.startsWith('v1.')) return this.serverClose(4401);
    this.onmessage?.({ data: JSON.stringify({ type: 'welcome', place: null }) });
  }

  serverClose(code: number): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    this.onclose?.({ code });
  }

  close(): void {
    this.serverClose(1000);
  }
}

let sockets: FakeSocket[];
let states: Connection[];
let behaviour: Behaviour;

function watch(queueTicket: string | null) {
  return watchQueue({
    wsUrl: 'ws://edge.test/api/events/e1/queue/live',
    queueTicket,
    statusUrl: '/api/events/e1/queue',
    onTick: () => {},
    onConnection: (state) => states.push(state),
    openSocket: (url) => {
      const socket = new FakeSocket(url, behaviour);
      sockets.push(socket);
      return socket;
    },
    random: () => 0.5,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ state: 'waiting', head: 0 }))));
  sockets = [];
  states = [];
  behaviour = 'edge';
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('watchQueue', () => {
  it('before the draw, says hello with a null ticket and stays on one connection for 30 s', async () => {
    const stop = watch(null);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(false);
    expect(sockets[0]!.url).not.toContain('queueTicket');
    expect(sockets[0]!.sent).toEqual(['{"queueTicket":null}']);
    expect(states).toEqual(['connecting', 'live']);
    stop();
  });

  it('sends a real ticket in the hello, not in the URL', async () => {
    const stop = watch('v1.ticket');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets[0]!.url).not.toContain('?');
    expect(sockets[0]!.sent).toEqual(['{"queueTicket":"v1.ticket"}']);
    stop();
  });

  it('backs off against a server that closes every connection at once: a handful in 45 s, not a flood', async () => {
    behaviour = 'closeAtOnce';
    const stop = watch(null);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(sockets.length).toBeGreaterThan(3);
    expect(sockets.length).toBeLessThanOrEqual(10);
    expect(states).not.toContain('reconnecting');
    stop();
  });

  it('stops knocking once the edge refuses the hello for good', async () => {
    behaviour = 'refuse';
    const stop = watch('v1.expired');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    stop();
  });

  it('shows no banner for a quick reconnect, and shows it when a live connection stays lost past the grace', async () => {
    const stop = watch(null);
    await vi.advanceTimersByTimeAsync(15_000);
    sockets[0]!.serverClose(1006);
    await vi.advanceTimersByTimeAsync(reconnectGraceMs);
    expect(sockets).toHaveLength(2);
    expect(states).not.toContain('reconnecting');
    expect(states.at(-1)).toBe('live');

    behaviour = 'closeAtOnce';
    await vi.advanceTimersByTimeAsync(15_000);
    sockets.at(-1)!.serverClose(1006);
    await vi.advanceTimersByTimeAsync(reconnectGraceMs + 100);
    expect(states.at(-1)).toBe('reconnecting');
    stop();
  });
});
