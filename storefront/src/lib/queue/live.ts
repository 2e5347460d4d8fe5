import { backoffDelayMs, nextAttempt, queueBackoff, type BackoffPolicy } from './backoff.ts';
import { tickOf, type QueueTick } from './position.ts';

/**
 * Follows a drop's queue in the browser: the edge's WebSocket (one tick per
 * drop, sent to every waiter). The queue ticket goes in the hello, never in
 * the URL; before the draw there is none and the hello is
 * `{ "queueTicket": null }`, which the edge takes as a watcher without a
 * place. Reconnects wait with exponential backoff and full jitter; while the
 * socket is down, the status is polled over HTTP so the page never freezes.
 */
export type Connection = 'connecting' | 'live' | 'reconnecting';

/** The part of a browser WebSocket this module uses (tests pass a fake). */
export type QueueSocket = {
  onopen: (() => void) | null;
  onmessage: ((message: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  send(text: string): void;
  close(): void;
};

export type WatchOptions = {
  /** The live endpoint, without a query string. */
  wsUrl: string;
  /** Null before the draw: the page then watches without a place. */
  queueTicket: string | null;
  /** Same-origin URL of the queue's HTTP status (through the storefront's /api proxy). */
  statusUrl: string;
  onTick: (tick: QueueTick) => void;
  onConnection: (state: Connection) => void;
  /** For tests; the browser's WebSocket otherwise. */
  openSocket?: (url: string) => QueueSocket;
  policy?: BackoffPolicy;
  random?: () => number;
};

/** While the socket is down, poll this often. */
export const fallbackPollMs = 3_000;

/**
 * A live connection lost and back within this is not shown: the first retry
 * after a connection that stayed up comes within `queueBackoff.baseMs`, so a
 * node's restart or a proxy's reload passes without a "reconnecting" banner.
 */
export const reconnectGraceMs = 4_000;

/**
 * The edge's refusals that the same hello would get again (malformed, ticket
 * refused, ticket of another drop, no such event): trying again only adds
 * load, so the page stays on the HTTP status instead.
 */
const refusedCodes = new Set([4400, 4401, 4403, 4404]);

export function watchQueue(opts: WatchOptions): () => void {
  const policy = opts.policy ?? queueBackoff;
  const openSocket = opts.openSocket ?? ((url: string) => new WebSocket(url) as unknown as QueueSocket);
  let socket: QueueSocket | null = null;
  let attempt = 0;
  let openedAt: number | null = null;
  let live = false;
  let stopped = false;
  let refused = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;

  const poll = async () => {
    try {
      const response = await fetch(opts.statusUrl, { headers: { accept: 'application/json' } });
      const tick = tickOf(await response.json());
      if (tick && !stopped) opts.onTick(tick);
    } catch {
      // Still offline: the next poll or the reconnect will tell.
    }
  };
  const startPolling = () => {
    if (pollTimer !== undefined || stopped) return;
    pollTimer = setInterval(poll, fallbackPollMs);
    void poll();
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = undefined;
  };

  const connect = () => {
    if (stopped) return;
    openedAt = null;
    try {
      socket = openSocket(opts.wsUrl);
    } catch {
      socket = null;
      lost();
      return;
    }
    const mine = socket;
    mine.onopen = () => {
      openedAt = Date.now();
      mine.send(JSON.stringify({ queueTicket: opts.queueTicket }));
    };
    mine.onmessage = (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(message.data));
      } catch {
        return; // Not JSON: not for this page.
      }
      if ((parsed as { type?: unknown } | null)?.type === 'welcome') return welcomed();
      const tick = tickOf(parsed);
      if (tick) opts.onTick(tick);
    };
    mine.onclose = (event) => {
      if (socket !== mine) return;
      socket = null;
      if (stopped) return;
      if (refusedCodes.has(event.code)) refused = true;
      lost();
    };
  };

  /** The edge accepted the hello: the connection is up. */
  const welcomed = () => {
    live = true;
    clearTimeout(graceTimer);
    graceTimer = undefined;
    stopPolling();
    opts.onConnection('live');
  };

  /** The socket closed or could not be opened: retry later, and tell the page only about a real loss. */
  const lost = () => {
    attempt = nextAttempt(policy, attempt, openedAt === null ? null : Date.now() - openedAt);
    if (live) {
      live = false;
      opts.onConnection('connecting');
      graceTimer = setTimeout(() => {
        graceTimer = undefined;
        opts.onConnection('reconnecting');
        startPolling();
      }, reconnectGraceMs);
    } else if (graceTimer === undefined) {
      // Never up yet (or already past the grace): the page's status comes over HTTP meanwhile.
      startPolling();
    }
    if (refused) return startPolling();
    retryTimer = setTimeout(connect, backoffDelayMs(policy, attempt, opts.random));
  };

  // Coming back online (phone out of a tunnel): try at once rather than after the backoff.
  const online = () => {
    if (socket === null && !stopped && !refused) {
      clearTimeout(retryTimer);
      connect();
    }
  };
  if (typeof window !== 'undefined') window.addEventListener('online', online);
  opts.onConnection('connecting');
  connect();

  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    clearTimeout(graceTimer);
    stopPolling();
    if (typeof window !== 'undefined') window.removeEventListener('online', online);
    socket?.close();
  };
}
