import type { EventView, QueueStatusView } from '$lib/api';

/**
 * The dashboard's live feed. Two sources, because they change differently:
 * the queue's WebSocket (`/api/events/:id/queue/live`, watched without a
 * place) pushes head, joined, rate and state about once a second; sold and
 * held per ticket type come from polling `GET /api/events/:id` every
 * `numbersPollMs` (the actor's snapshot), and the sales chart from
 * `/sales` every `salesPollMs`. A dropped socket reconnects with backoff.
 */
export const numbersPollMs = 2_000;
export const salesPollMs = 10_000;
const reconnectMaxMs = 15_000;

export type LiveFeed = {
  onEvent: (e: EventView) => void;
  onQueue: (q: QueueStatusView) => void;
  onSales: (points: { at: string; tickets: number; revenue: number }[]) => void;
  onSocket: (live: boolean) => void;
};

export function followDashboard(eventId: string, wsBase: string, feed: LiveFeed): () => void {
  let stopped = false;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const get = async <T>(path: string): Promise<T | null> => {
    try {
      const r = await fetch(path, { headers: { accept: 'application/json' } });
      return r.ok ? ((await r.json()) as T) : null;
    } catch {
      return null;
    }
  };
  const pollNumbers = async () => {
    const e = await get<EventView>(`/api/events/${eventId}`);
    if (e && !stopped) feed.onEvent(e);
  };
  const pollSales = async () => {
    const s = await get<{ points: { at: string; tickets: number; revenue: number }[] }>(`/api/events/${eventId}/sales`);
    if (s && !stopped) feed.onSales(s.points);
  };
  const connect = () => {
    if (stopped) return;
    try {
      socket = new WebSocket(`${wsBase}/api/events/${eventId}/queue/live`);
    } catch {
      return schedule();
    }
    socket.onopen = () => {
      attempt = 0;
      // No queue ticket: an organizer watches without a place.
      socket?.send(JSON.stringify({ queueTicket: null }));
      feed.onSocket(true);
    };
    socket.onmessage = (m) => {
      try {
        const data = JSON.parse(String(m.data)) as { type?: string } & QueueStatusView;
        if (data.type === 'tick') feed.onQueue(data);
      } catch {
        // Not JSON: ignored.
      }
    };
    socket.onclose = () => {
      socket = null;
      feed.onSocket(false);
      schedule();
    };
  };
  const schedule = () => {
    if (stopped) return;
    retry = setTimeout(connect, Math.min(reconnectMaxMs, 500 * 2 ** attempt++));
  };
  const numbers = setInterval(pollNumbers, numbersPollMs);
  const sales = setInterval(pollSales, salesPollMs);
  connect();
  return () => {
    stopped = true;
    clearInterval(numbers);
    clearInterval(sales);
    clearTimeout(retry);
    socket?.close();
  };
}

/** ws(s)://<the page's host>:<edge port>, unless the server names a public WebSocket URL. */
export function wsBaseOf(wsUrl: string | null, edgePort: number): string {
  if (wsUrl) return wsUrl;
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${host}:${edgePort}`;
}
