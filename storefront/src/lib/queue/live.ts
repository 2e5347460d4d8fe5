import { reconnectDelayMs, tickOf, type QueueTick } from './position.ts';

/**
 * Follows a drop's queue in the browser: the edge's WebSocket (one tick per
 * drop, sent to every waiter), reconnecting with backoff when it drops; while
 * it is down, the status is polled over HTTP so the page never freezes.
 */
export type Connection = 'connecting' | 'live' | 'reconnecting';

export type WatchOptions = {
  wsUrl: string;
  /** Same-origin URL of the queue's HTTP status (through the storefront's /api proxy). */
  statusUrl: string;
  onTick: (tick: QueueTick) => void;
  onConnection: (state: Connection) => void;
};

/** While the socket is down, poll this often. */
export const fallbackPollMs = 3_000;

export function watchQueue(opts: WatchOptions): () => void {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
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
    if (pollTimer === undefined) pollTimer = setInterval(poll, fallbackPollMs);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = undefined;
  };

  const connect = () => {
    if (stopped) return;
    opts.onConnection(attempt === 0 ? 'connecting' : 'reconnecting');
    try {
      socket = new WebSocket(opts.wsUrl);
    } catch {
      scheduleReconnect();
      return;
    }
    socket.onopen = () => {
      attempt = 0;
      stopPolling();
      opts.onConnection('live');
    };
    socket.onmessage = (message) => {
      try {
        const tick = tickOf(JSON.parse(String(message.data)));
        if (tick) opts.onTick(tick);
      } catch {
        // Not JSON: not a tick.
      }
    };
    socket.onclose = () => {
      socket = null;
      if (!stopped) scheduleReconnect();
    };
  };

  const scheduleReconnect = () => {
    opts.onConnection('reconnecting');
    startPolling();
    void poll();
    retryTimer = setTimeout(connect, reconnectDelayMs(attempt++));
  };

  // Coming back online (phone out of a tunnel): try at once rather than after the backoff.
  const online = () => {
    if (socket === null && !stopped) {
      clearTimeout(retryTimer);
      connect();
    }
  };
  window.addEventListener('online', online);
  connect();

  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    stopPolling();
    window.removeEventListener('online', online);
    socket?.close();
  };
}
