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

/** One page's watch of its queue: the socket, the retry and poll timers, and where the connection stands. */
type Watch = {
  opts: WatchOptions;
  policy: BackoffPolicy;
  openSocket: (url: string) => QueueSocket;
  socket: QueueSocket | null;
  attempt: number;
  openedAt: number | null;
  live: boolean;
  stopped: boolean;
  refused: boolean;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  pollTimer: ReturnType<typeof setInterval> | undefined;
};

export function watchQueue(opts: WatchOptions): () => void {
  const w: Watch = {
    opts,
    policy: opts.policy ?? queueBackoff,
    openSocket: opts.openSocket ?? ((url: string) => new WebSocket(url) as unknown as QueueSocket),
    socket: null,
    attempt: 0,
    openedAt: null,
    live: false,
    stopped: false,
    refused: false,
    retryTimer: undefined,
    graceTimer: undefined,
    pollTimer: undefined,
  };

  // Coming back online (phone out of a tunnel): try at once rather than after the backoff.
  const online = () => {
    if (w.socket === null && !w.stopped && !w.refused) {
      clearTimeout(w.retryTimer);
      connect(w);
    }
  };
  if (typeof window !== 'undefined') window.addEventListener('online', online);
  opts.onConnection('connecting');
  connect(w);

  return () => {
    w.stopped = true;
    clearTimeout(w.retryTimer);
    clearTimeout(w.graceTimer);
    stopPolling(w);
    if (typeof window !== 'undefined') window.removeEventListener('online', online);
    w.socket?.close();
  };
}

async function poll(w: Watch): Promise<void> {
  try {
    const response = await fetch(w.opts.statusUrl, { headers: { accept: 'application/json' } });
    const tick = tickOf(await response.json());
    if (tick && !w.stopped) w.opts.onTick(tick);
  } catch {
    // Still offline: the next poll or the reconnect will tell.
  }
}

function startPolling(w: Watch): void {
  if (w.pollTimer !== undefined || w.stopped) return;
  w.pollTimer = setInterval(() => void poll(w), fallbackPollMs);
  void poll(w);
}

function stopPolling(w: Watch): void {
  clearInterval(w.pollTimer);
  w.pollTimer = undefined;
}

function connect(w: Watch): void {
  if (w.stopped) return;
  w.openedAt = null;
  try {
    w.socket = w.openSocket(w.opts.wsUrl);
  } catch {
    w.socket = null;
    lost(w);
    return;
  }
  const mine = w.socket;
  mine.onopen = () => {
    w.openedAt = Date.now();
    mine.send(JSON.stringify({ queueTicket: w.opts.queueTicket }));
  };
  mine.onmessage = (message) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(message.data));
    } catch {
      return; // Not JSON: not for this page.
    }
    if ((parsed as { type?: unknown } | null)?.type === 'welcome') return welcomed(w);
    const tick = tickOf(parsed);
    if (tick) w.opts.onTick(tick);
  };
  mine.onclose = (event) => {
    if (w.socket !== mine) return;
    w.socket = null;
    if (w.stopped) return;
    if (refusedCodes.has(event.code)) w.refused = true;
    lost(w);
  };
}

/** The edge accepted the hello: the connection is up. */
function welcomed(w: Watch): void {
  w.live = true;
  clearTimeout(w.graceTimer);
  w.graceTimer = undefined;
  stopPolling(w);
  w.opts.onConnection('live');
}

/** The socket closed or could not be opened: retry later, and tell the page only about a real loss. */
function lost(w: Watch): void {
  w.attempt = nextAttempt(w.policy, w.attempt, w.openedAt === null ? null : Date.now() - w.openedAt);
  if (w.live) {
    w.live = false;
    w.opts.onConnection('connecting');
    w.graceTimer = setTimeout(() => {
      w.graceTimer = undefined;
      w.opts.onConnection('reconnecting');
      startPolling(w);
    }, reconnectGraceMs);
  } else if (w.graceTimer === undefined) {
    // Never up yet (or already past the grace): the page's status comes over HTTP meanwhile.
    startPolling(w);
  }
  if (w.refused) return startPolling(w);
  w.retryTimer = setTimeout(() => connect(w), backoffDelayMs(w.policy, w.attempt, w.opts.random));
}
