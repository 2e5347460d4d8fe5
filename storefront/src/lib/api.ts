import { hasMessage, type Translate } from './i18n';

/**
 * The edge's HTTP API: one `send()` and one-line verbs. The same module runs
 * on the server (loads and form actions, with the session token) and in the
 * browser (through the storefront's same-origin `/api` proxy, which adds the
 * token from the httpOnly cookie). Failures become an `ApiError` whose
 * `sentence(t)` a person can read: never raw JSON.
 */

export type Money = { price: number; currency: string };

export type TicketTypeView = {
  id: string; name: string; price: number; currency: string; capacity: number;
  sold: number | null; held: number | null; available: number | null;
};

export type EventView = {
  id: string; name: string; venue: string; startsAt: string; endsAt: string | null;
  saleStartsAt: string | null; saleEndsAt: string | null; currency: string;
  perBuyerLimit: number; holdTtlSeconds: number; organizerId: string;
  ticketTypes: TicketTypeView[];
};

export type HoldView = {
  holdId: string; eventId: string; typeId: string; quantity: number; price: number;
  currency: string; status: string; expiresAt: string;
};

export type QueueStatusView = {
  eventId: string; state: 'closed' | 'waiting' | 'open' | 'all_held' | 'paused' | 'sold_out';
  head: number; placed: number; joined: number; drawn: boolean; stockLeft: number;
  msPerPlace: number | null; ratePerMinute: number; saleStartsAt: string | null; waitingRoomOpensAt: string | null; at: string;
};

export type JoinedView = { eventId: string; queueTicketId: string; seq: number; place: number | null; queueTicket: string; queue: QueueStatusView };
export type AdmissionView = { admissionToken: string; expiresAt: string; maxQuantity: number; place: number };

export type QueueSettingsView = {
  queueEnabled: boolean; waitingRoomOpensAt: string | null; saleStartsAt: string | null;
  admissionRatePerMinute: number | 'auto'; admissionTokenTtlSeconds: number; perBuyerLimit: number; powBits: number; paused: boolean;
};

export type AccountView = { id: string; email: string; name: string; role: string };
export type AuthReply = { token: string; account: AccountView };

export type SignupBody = { email: string; password: string; name: string; role: 'participant' | 'organizer' };

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    /** The edge's error code (`sold_out`, ...), or `unreachable` / `unexpected` when there was no readable answer. */
    readonly code: string,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** A translated sentence when the dictionary knows the code, else the edge's own sentence (English). */
  sentence(t: Translate): string {
    const key = `error.${this.code}`;
    if (hasMessage(key)) return t(key);
    if (this.code === 'unreachable' || this.code === 'unexpected') return t(`error.${this.code}`);
    return this.message || t('error.unexpected');
  }
}

export type Fetch = typeof fetch;
export type SendOptions = { body?: unknown; headers?: Record<string, string> };

/** Requests that hang past this fail as "unreachable" rather than leaving a page spinning. */
export const requestTimeoutMs = 15_000;

/**
 * `forwardedFor` is the browser's address when the storefront's server calls
 * on a person's behalf: the edge rate-limits by it (it trusts X-Forwarded-For
 * from loopback and private peers only).
 */
export function createApi(fetchFn: Fetch, base: string, token: string | null = null, forwardedFor: string | null = null) {
  async function send<T>(method: string, path: string, options: SendOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    let response: Response;
    try {
      response = await fetchFn(base + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'The ticket server cannot be reached right now; try again in a moment.');
    }
    const text = await response.text();
    let data: unknown = null;
    try {
      data = text === '' ? null : JSON.parse(text);
    } catch {
      // A proxy's HTML error page or a plain-text reply: not something to show a person.
    }
    if (response.ok) return data as T;
    const error = (data as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && typeof error.code === 'string') {
      const { code, message, ...detail } = error as Record<string, unknown>;
      throw new ApiError(response.status, code as string, typeof message === 'string' ? message : '', detail);
    }
    throw new ApiError(response.status, response.status >= 500 ? 'unexpected' : `http_${response.status}`, response.status >= 500 ? '' : response.statusText);
  }

  const key = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });

  return {
    send,
    signup: (body: SignupBody) => send<AuthReply>('POST', '/api/auth/signup', { body }),
    signin: (body: { email: string; password: string }) => send<AuthReply>('POST', '/api/auth/signin', { body }),
    events: () => send<{ events: EventView[] }>('GET', '/api/events'),
    myEvents: () => send<{ events: EventView[] }>('GET', '/api/events?mine=1'),
    event: (id: string) => send<EventView>('GET', `/api/events/${encodeURIComponent(id)}`),
    createEvent: (body: unknown) => send<EventView>('POST', '/api/events', { body }),
    patchEvent: (id: string, body: unknown) => send<EventView>('PATCH', `/api/events/${encodeURIComponent(id)}`, { body }),
    placeHold: (eventId: string, body: { typeId: string; quantity: number }, idempotencyKey: string, admission?: string) =>
      send<HoldView>('POST', `/api/events/${encodeURIComponent(eventId)}/holds`, {
        body,
        headers: { ...key(idempotencyKey), ...(admission ? { 'admission-token': admission } : {}) },
      }),
    queueStatus: (eventId: string) => send<QueueStatusView>('GET', `/api/events/${encodeURIComponent(eventId)}/queue`),
    joinQueue: (eventId: string, body: { pow?: { issuedAt: number; nonce: string } } = {}) =>
      send<JoinedView>('POST', `/api/events/${encodeURIComponent(eventId)}/queue`, { body }),
    admission: (eventId: string, queueTicket: string) => send<AdmissionView>('POST', `/api/events/${encodeURIComponent(eventId)}/admission`, { body: { queueTicket } }),
    queueChallenge: (eventId: string) => send<{ challenge: string; issuedAt: number; bits: number; expiresAt: string }>('GET', `/api/events/${encodeURIComponent(eventId)}/queue/challenge`),
    queueSettings: (eventId: string) => send<QueueSettingsView>('GET', `/api/events/${encodeURIComponent(eventId)}/queue/settings`),
    patchQueueSettings: (eventId: string, body: Partial<Omit<QueueSettingsView, 'admissionRatePerMinute'>> & { admissionRatePerMinute?: number | 'auto' }) =>
      send<QueueSettingsView>('PATCH', `/api/events/${encodeURIComponent(eventId)}/queue/settings`, { body }),
    hold: (id: string) => send<HoldView>('GET', `/api/holds/${encodeURIComponent(id)}`),
    releaseHold: (id: string) => send<HoldView>('DELETE', `/api/holds/${encodeURIComponent(id)}`),
  };
}

export type Api = ReturnType<typeof createApi>;
