/**
 * `ws /api/events/:id/queue/live`: waiters watch their drop's queue move.
 *
 * A tick is the drop's status (head, stock left, estimated ms per place,
 * state), one JSON text per drop, sent with `app.publish` to the topic of the
 * drop: uWS writes the same bytes to every subscriber, so a tick costs one
 * message per drop per node, whatever the number of waiters. Each client
 * computes its own wait from its place (in its queue ticket) and the head.
 *
 * Where the status comes from: pushed, and polled as a safety net.
 * - Pushed: the owner's worker hands every durable head move and state change
 *   (sell-out, pause) to its node (`engine.onQueueStatus`), which publishes it
 *   at once and, in a cluster, passes it on over Redis pub/sub to every other
 *   node (engine/src/cluster/queue_ticks.ts), which publishes it to its own
 *   waiters of the drop. A change reaches every node about one Redis round
 *   trip after it is durable, whatever the number of nodes or waiters.
 * - Polled: every `queuePollMs` this node asks the owner of each drop that has
 *   waiters here for its status (a local worker, or another node through the
 *   forward path), and publishes it when it changed or `queueTickPublishMs`
 *   after the last tick (the estimated wait moves with time), once the head
 *   has stood still for `queueTickPublishMs` plus a poll period: a head
 *   moving about once a period needs no repeat between its moves, and one
 *   there would cost every waiter a frame (at one move a second, polls found
 *   a repeat due before a third of the moves: 15 frames per waiter in 10 s
 *   instead of 10). This keeps
 *   waiters current when a push is lost (pub/sub does not queue for a node
 *   that is reconnecting), and alone it is all a cluster would need, at up to
 *   a poll period of delay: measured, the 250 ms poll was most of the delay
 *   from a head move to the last waiter (README, *Queue at scale*).
 * A status older than the one last published (a poll answer overtaken by a
 * push) is not published: a waiter never sees its head go back.
 *
 * The uWS rules at this spot: `maxBackpressure` bounds what one socket may
 * buffer, and pub/sub skips a socket over it (a slow client misses ticks, and
 * the next one carries everything it needs: it is the whole status, not a
 * delta). Sockets are never touched after `close`. Close codes: 4400 a
 * malformed message, 4401 a refused queue ticket, 4403 a ticket of another
 * drop, 4404 no such event, 4408 no hello in time; uWS closes idle sockets
 * itself (it pings).
 *
 * A drop is polled only once its event is known to exist: the first hello for
 * a drop this node has no waiters on asks its owner once, and a socket for an
 * event that does not exist is closed (4404) without ever joining the polls,
 * so made-up event ids cannot make this node poll for nothing.
 */
import uWS from 'uWebSockets.js';
import type { Engine } from '../../../engine/src/engine.ts';
import { EngineVerbs } from '../../../engine/src/engine_verbs.ts';
import {
  queuePollMs,
  queueTickPublishMs,
  wsBackpressureBytesMax,
  wsHelloTimeoutMs,
  wsIdleTimeoutSeconds,
  wsMessageBytesMax,
} from '../../../engine/src/queue/limits.ts';
import { verifyQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';
import type { QueueStatus } from '../../../engine/src/queue/types.ts';
import type { Logger } from '../../../engine/src/log.ts';
import { statusView } from '../routes/queue.ts';
import { normalizeUuid } from '../validation.ts';
import { securityHeaders } from '../http/security_headers.ts';

type Waiter = {
  eventId: string;
  /** From the query string, if given there; else the first message must carry it. */
  ticketText: string | null;
  helloBy: number;
  subscribed: boolean;
  /** The hello was accepted and the event's existence is being asked. */
  checking: boolean;
  closed: boolean;
};

/** `movedAt`: when this node last published a change (its own clock: the owner's may be another machine's). */
type Drop = { waiters: number; last: QueueStatus | null; lastText: string | null; publishedAt: number; movedAt: number; polling: boolean };

export const closeCodes = { malformed: 4400, ticketRefused: 4401, otherDrop: 4403, eventNotFound: 4404, helloTimeout: 4408 } as const;

export type QueueLive = {
  /** Publishes a status at once (a settings change through this node). */
  publish(status: QueueStatus): void;
  waiters(): number;
  /** Milliseconds the slowest `app.publish` of a tick took since the last call (uWS writes every subscriber's copy in it); resets. */
  takePublishMsMax(): number;
  /** Ticks published since the last call, by where their status came from (a push, or a poll of the owner); resets. */
  takeTickSources(): { pushed: number; polled: number };
  close(): void;
};

const topicOf = (eventId: string) => `queue/${eventId}`;
const decoder = new TextDecoder();

export type QueueLiveOptions = { engine: Engine; key: Uint8Array; log: Logger; hsts?: boolean; now?: () => number; helloTimeoutMs?: number; pollMs?: number };

/** The drops with waiters on this node, and what their sockets do (see the top of this file). */
class Hub {
  readonly drops = new Map<string, Drop>();
  readonly awaitingHello = new Set<uWS.WebSocket<Waiter>>();
  publishMsMax = 0;
  readonly sources = { pushed: 0, polled: 0 };
  readonly engine: EngineVerbs;
  readonly key: Uint8Array;
  readonly log: Logger;
  readonly now: () => number;
  readonly helloTimeoutMs: number;
  readonly pollMs: number;

  constructor(private readonly app: uWS.TemplatedApp, opts: QueueLiveOptions) {
    this.engine = new EngineVerbs(opts.engine);
    this.key = opts.key;
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.helloTimeoutMs = opts.helloTimeoutMs ?? wsHelloTimeoutMs;
    this.pollMs = opts.pollMs ?? queuePollMs;
  }

  publish(status: QueueStatus, force: boolean, source: 'pushed' | 'polled' | null = null): void {
    const drop = this.drops.get(status.eventId);
    if (drop === undefined) return;
    const last = drop.last;
    // The head only grows (queue_state keeps the greatest); a status no newer than the last one at the same head is stale.
    if (!force && last !== null && (status.head < last.head || (status.head === last.head && status.at < last.at))) return;
    const changed = last === null || last.state !== status.state || last.head !== status.head;
    // A repeat tick (nothing changed) is for a head that stands still: while it moves about once a period, each move is the
    // tick, and a repeat that a poll happens to find due just before the next move would double every waiter's frames.
    if (!force && !changed && (this.now() - drop.publishedAt < queueTickPublishMs || this.now() - drop.movedAt < queueTickPublishMs + this.pollMs)) return;
    if (changed) drop.movedAt = this.now();
    drop.last = status;
    drop.lastText = JSON.stringify({ type: 'tick', ...statusView(status) });
    drop.publishedAt = this.now();
    const started = performance.now();
    this.app.publish(topicOf(status.eventId), drop.lastText, false);
    this.publishMsMax = Math.max(this.publishMsMax, performance.now() - started);
    if (source !== null) this.sources[source]++;
  }

  poll(): void {
    for (const [eventId, drop] of this.drops) {
      if (drop.waiters === 0) {
        this.drops.delete(eventId);
        continue;
      }
      if (drop.polling) continue;
      drop.polling = true;
      this.engine.queue({ eventId, op: { type: 'status' } }).then((outcome) => {
        drop.polling = false;
        if (!outcome.ok) return;
        const answer = outcome.answer;
        const status = answer.ok ? ('status' in answer ? answer.status : null) : answer.status;
        if (status !== null) this.publish(status, false, 'polled');
      }, (error: unknown) => {
        drop.polling = false;
        this.log('warn', `queue status of ${eventId}: ${String(error)}`);
      });
    }
  }

  sweep(): void {
    const at = this.now();
    for (const ws of this.awaitingHello) {
      const w = ws.getUserData();
      if (w.helloBy > at) continue;
      this.awaitingHello.delete(ws);
      ws.end(closeCodes.helloTimeout, `send your queue ticket within ${this.helloTimeoutMs / 1000} s of connecting`);
    }
  }

  /** A hello: check the ticket, make sure the event exists, then subscribe. */
  hello(ws: uWS.WebSocket<Waiter>, ticketText: string | null): void {
    const w = ws.getUserData();
    this.awaitingHello.delete(ws);
    // Only the place is kept: the ticket's text would cost ~200 bytes a waiter for nothing.
    w.ticketText = null;
    let place: number | null = null;
    if (ticketText !== null) {
      const checked = verifyQueueTicket(ticketText, this.key);
      if (!checked.ok) return ws.end(closeCodes.ticketRefused, `queue ticket refused: ${checked.reason}`);
      if (checked.ticket.eventId !== w.eventId) return ws.end(closeCodes.otherDrop, 'this queue ticket is for another drop');
      place = checked.ticket.place;
    }
    // A drop with waiters here was found to exist already.
    if (this.drops.has(w.eventId)) return this.subscribe(ws, place);
    w.checking = true;
    this.engine.queue({ eventId: w.eventId, op: { type: 'status' } }).then((outcome) => {
      w.checking = false;
      if (w.closed) return;
      if (!outcome.ok && outcome.reason === 'event_not_found') return ws.end(closeCodes.eventNotFound, 'no such event; check the event id');
      // Busy or moving between nodes: the event may well exist, and the polls will ask again.
      this.subscribe(ws, place);
      if (outcome.ok) {
        const answer = outcome.answer;
        const status = answer.ok ? ('status' in answer ? answer.status : null) : answer.status;
        if (status !== null) this.publish(status, false);
      }
    }, (error: unknown) => {
      w.checking = false;
      this.log('warn', `queue status of ${w.eventId}: ${String(error)}`);
      // 1011: the server failed; the client reconnects as after any drop.
      if (!w.closed) ws.end(1011, 'the event could not be looked up; reconnect in a moment');
    });
  }

  /** Subscribe, greet, and send the last tick so a reconnect resumes at once. */
  subscribe(ws: uWS.WebSocket<Waiter>, place: number | null): void {
    const w = ws.getUserData();
    w.subscribed = true;
    ws.subscribe(topicOf(w.eventId));
    let drop = this.drops.get(w.eventId);
    if (drop === undefined) this.drops.set(w.eventId, (drop = { waiters: 0, last: null, lastText: null, publishedAt: 0, movedAt: 0, polling: false }));
    drop.waiters++;
    ws.cork(() => {
      ws.send(JSON.stringify({ type: 'welcome', eventId: w.eventId, place }), false);
      if (drop.lastText !== null) ws.send(drop.lastText, false);
    });
  }

  /** The first message: a hello (its queue ticket, or null), or after it a ping. */
  message(ws: uWS.WebSocket<Waiter>, message: ArrayBuffer, isBinary: boolean): void {
    const w = ws.getUserData();
    let parsed: unknown;
    try {
      parsed = isBinary ? undefined : JSON.parse(decoder.decode(message));
    } catch {
      parsed = undefined;
    }
    const ticket = typeof parsed === 'object' && parsed !== null ? (parsed as { queueTicket?: unknown }).queueTicket : undefined;
    if (w.subscribed || w.checking) {
      // After the hello a client only pings: { "type": "ping" } answers a pong with the last tick.
      if (typeof parsed === 'object' && parsed !== null && (parsed as { type?: unknown }).type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }), false);
        return;
      }
      return ws.end(closeCodes.malformed, 'after the hello, send only { "type": "ping" }');
    }
    if (ticket !== null && typeof ticket !== 'string') {
      return ws.end(closeCodes.malformed, 'send { "queueTicket": "<ticket>" } (or null to watch without a place) as JSON text');
    }
    this.hello(ws, ticket);
  }

  close(ws: uWS.WebSocket<Waiter>): void {
    const w = ws.getUserData();
    w.closed = true;
    this.awaitingHello.delete(ws);
    if (!w.subscribed) return;
    const drop = this.drops.get(w.eventId);
    if (drop !== undefined) drop.waiters--;
  }

  waiters(): number {
    let n = 0;
    for (const drop of this.drops.values()) n += drop.waiters;
    return n;
  }
}

/**
 * The upgrade: a path that cannot name an event is 404 in the one error shape;
 * otherwise the socket opens, its hello due within `helloTimeoutMs`.
 * Synchronous: nothing to await, so no onAborted needed; `req` is read before returning.
 */
function upgrade(res: uWS.HttpResponse, req: uWS.HttpRequest, context: uWS.us_socket_context_t, security: readonly (readonly [string, string])[], helloBy: number): void {
  const eventId = normalizeUuid(req.getParameter(0) ?? '');
  if (eventId === null) {
    res.cork(() => {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json');
      for (const [name, value] of security) res.writeHeader(name, value);
      res.end(JSON.stringify({ error: { code: 'event_not_found', message: 'No such event; check the event id.' } }));
    });
    return;
  }
  const ticketText = new URLSearchParams(req.getQuery() ?? '').get('queueTicket');
  const waiter: Waiter = { eventId, ticketText: ticketText === '' ? null : ticketText, helloBy, subscribed: false, checking: false, closed: false };
  res.upgrade(waiter, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
}

/** `helloTimeoutMs` and `pollMs` are for tests; everywhere else the limits hold. */
export function mountQueueLive(app: uWS.TemplatedApp, opts: QueueLiveOptions): QueueLive {
  const hub = new Hub(app, opts);
  const security = securityHeaders({ hsts: opts.hsts === true });

  app.ws<Waiter>('/api/events/:id/queue/live', {
    compression: uWS.DISABLED,
    maxPayloadLength: wsMessageBytesMax,
    maxBackpressure: wsBackpressureBytesMax,
    closeOnBackpressureLimit: 0, // skip ticks to a slow client, never close it for that
    idleTimeout: wsIdleTimeoutSeconds,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => upgrade(res, req, context, security, hub.now() + hub.helloTimeoutMs),
    open: (ws) => {
      const w = ws.getUserData();
      if (w.ticketText !== null) hub.hello(ws, w.ticketText);
      else hub.awaitingHello.add(ws);
    },
    message: (ws, message, isBinary) => hub.message(ws, message, isBinary),
    close: (ws) => hub.close(ws),
  });

  opts.engine.onQueueStatus?.((status) => hub.publish(status, false, 'pushed'));
  const pollTimer = setInterval(() => hub.poll(), hub.pollMs);
  const sweepTimer = setInterval(() => hub.sweep(), Math.min(1_000, hub.helloTimeoutMs));
  pollTimer.unref();
  sweepTimer.unref();

  return {
    publish: (status) => hub.publish(status, true),
    waiters: () => hub.waiters(),
    takePublishMsMax: () => {
      const max = hub.publishMsMax;
      hub.publishMsMax = 0;
      return max;
    },
    takeTickSources: () => {
      const taken = { ...hub.sources };
      hub.sources.pushed = 0;
      hub.sources.polled = 0;
      return taken;
    },
    close: () => {
      clearInterval(pollTimer);
      clearInterval(sweepTimer);
    },
  };
}
