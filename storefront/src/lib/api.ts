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
  /** No longer sold; its sales stay (#15). */
  retired?: boolean;
};

export type EventView = {
  id: string; name: string; venue: string; startsAt: string; endsAt: string | null;
  saleStartsAt: string | null; saleEndsAt: string | null; currency: string;
  /** Minor-unit digits of `currency`, from the server's table: format and parse amounts with it. */
  exponent: number;
  perBuyerLimit: number; holdTtlSeconds: number; organizerId: string;
  /** Whether and until when a buyer may ask for a refund (#5). */
  refundPolicy?: 'none' | 'until' | 'always'; refundUntilDays?: number | null;
  reminderHours?: number | null;
  /** A draft is seen by its organizer only (#15). */
  status: 'draft' | 'published'; publishedAt: string | null;
  /** Plain text with line breaks; never HTML. */
  description: string; address: string; latitude: number | null; longitude: number | null;
  /** IANA zone the event's times are shown in. */
  timeZone: string;
  /** https OpenStreetMap link built by the server, or null. */
  mapUrl: string | null;
  ticketTypes: TicketTypeView[];
  /** The event's poster (#14), or null; older edges send none. */
  poster?: PosterView | null;
  /** When its organizer cancelled it (#15); null while it is on. */
  cancelledAt?: string | null;
};

/** How far an event's cancellation got (#15): refunded of total paid orders. */
export type CancellationView = {
  eventId: string; cancelledAt: string; state: 'stopping' | 'refunding' | 'done';
  orders: { total: number; refunded: number; manualWaiting: number };
};

/** A poster: the source's size (for the aspect ratio) and its renditions, narrowest first, WebP and JPEG at each width. */
export type PosterView = {
  width: number; height: number; uploadedAt: string;
  renditions: { url: string; type: 'image/webp' | 'image/jpeg'; width: number; height: number }[];
};

export type HoldView = {
  holdId: string; eventId: string; typeId: string; quantity: number; price: number;
  currency: string; status: string; expiresAt: string;
};

/** Several ticket types held together (POST /api/events/:id/holds with items): all of them or none. */
export type BasketView = { basketId: string; holds: HoldView[]; amount: number; currency: string; expiresAt: string };

export type QueueStatusView = {
  eventId: string; state: 'closed' | 'waiting' | 'open' | 'all_held' | 'paused' | 'sold_out';
  head: number; placed: number; joined: number; drawn: boolean; stockLeft: number;
  msPerPlace: number | null; ratePerMinute: number; saleStartsAt: string | null; waitingRoomOpensAt: string | null; at: string;
};

export type JoinedView = { eventId: string; queueTicketId: string; seq: number; place: number | null; queueTicket: string | null; queue: QueueStatusView };
export type AdmissionView = { admissionToken: string; expiresAt: string; maxQuantity: number; place: number };

export type QueueSettingsView = {
  queueEnabled: boolean; waitingRoomOpensAt: string | null; saleStartsAt: string | null;
  admissionRatePerMinute: number | 'auto'; admissionTokenTtlSeconds: number; perBuyerLimit: number; powBits: number; paused: boolean;
  /** What a buyer needs to hold (#11); `verified_phone` may come later. */
  holdRequires: 'account' | 'verified_email';
  /** Stock one client address may hold at once; null: no cap. */
  holdsPerAddressMax: number | null;
};

export type Provider = 'simulated' | 'stripe' | 'clictopay' | 'konnect';
export type OrderStatus = 'pending' | 'paid' | 'ticketed' | 'refunded' | 'failed' | 'expired';

/** One line of an order: one hold of one ticket type (a basket has several). */
export type OrderLineView = {
  line: number; holdId: string; typeId: string; typeName: string; quantity: number; unitPrice: number;
  /** Taken off each ticket of this line by the promo code; `amount` = quantity × (unitPrice − unitDiscount). */
  unitDiscount: number; amount: number; holderNames: string[] | null;
};

export type OrderView = {
  id: string; eventId: string; holdId: string; typeId: string; quantity: number; unitPrice: number; amount: number;
  /** Promo code (#15): taken off each ticket; `discount` = Σ unitDiscount × quantity over the lines; `amount` is what is charged. */
  unitDiscount: number; discount: number; promoCode: string | null;
  lines: OrderLineView[];
  currency: string; status: OrderStatus; provider: Provider; failure: string | null; createdAt: string;
  paidAt: string | null; ticketedAt: string | null; refundedAt: string | null;
  payment: { id: string; status: string; providerRef: string | null; redirectUrl: string | null; clientSecret: string | null } | null;
  /** A refund made by hand (Konnect); only the single-order answer carries it. */
  manualRefund?: { state: 'manual_required' | 'done'; requestedAt: string; doneAt: string | null } | null;
  /** Only the single-order answer carries it (#15); null when its lines do not add up. */
  receipt?: ReceiptView | null;
};

/** What the buyer paid for (#15): one line per ticket type and price, then fees or discounts; the lines and adjustments add up to the total. */
export type ReceiptView = {
  orderId: string; orderNumber: string; currency: string;
  lines: { typeId: string; typeName: string; quantity: number; unitPrice: number; amount: number }[];
  adjustments: { kind: 'fee' | 'discount'; label: string; amount: number }[];
  total: number; provider: Provider; date: string; timeZone: string;
};

export type SimulatedSessionView = { session: string; orderId: string; amount: number; currency: string; status: string; orderStatus: OrderStatus };

export type TicketView = {
  id: string; typeId: string; typeName: string; holderName: string | null; status: string; version: number;
  issuedAt: string | null; usedAt: string | null; usedGate: string | null; secret: string | null;
  qr: { png: string; svg: string } | null;
};

export type CheckinListView = { id: string; eventId: string; name: string; typeIds: string[] };
/** An invite, `invited` until the invitee acts; `accountId` only once active (so the list never tells which emails have accounts). */
export type StaffView = { id: string; email: string; name: string | null; status: 'invited' | 'active'; accountId: string | null; invitedAt: string };
export type StaffEventView = { id: string; name: string; venue: string; startsAt: string; timeZone?: string };
export type EventKeysView = { eventId: string; algorithm: 'Ed25519'; format: 'TK1'; publicKey: string; revoked: { ticketId: string; validVersion: number | null }[]; generatedAt: string };
export type CheckinTicketView = { id: string; typeId: string; typeName: string; holderName: string | null; orderId: string; status?: string; usedAt?: string | null; usedGate?: string | null };
export type CheckinOutcome = 'valid' | 'already_used' | 'revoked' | 'forged' | 'wrong_event' | 'wrong_list';
export type CheckinReply = { outcome: CheckinOutcome; ticket: CheckinTicketView | null; usedAt?: string; gate?: string; device?: string; detail?: string };
export type SyncScan = { secret?: string; ticketId?: string; scannedAt: string; gate: string; device: string };
export type SyncOutcome = 'admitted' | 'duplicate' | 'conflict' | 'revoked' | 'forged' | 'wrong_event' | 'wrong_list';
export type SyncReply = {
  list: { id: string; name: string }; admitted: number; duplicates: number; conflicts: number; refused: number;
  results: { index: number; outcome: SyncOutcome; ticketId: string | null; holderName: string | null; detail?: string;
    conflict?: { firstAt: string | null; firstGate: string | null; firstDevice: string | null; secondAt: string; secondGate: string; secondDevice: string } }[];
};
export type CheckinStatsView = { eventId: string; issued: number; used: number; revoked: number; lists: { listId: string; name: string; used: number }[]; gates: { gate: string; used: number }[]; conflicts: number };
export type PayoutLineView = {
  label?: string; price: number; discountPerTicket: number; paidPrice: number; quantity: number; refundedQuantity: number; feePerTicket: number;
  gross: number; discounts: number; fees: number; refunds: number; net: number;
};
export type PayoutView = { eventId: string; currency: string; exponent: number; feeBps: number; lines: PayoutLineView[]; gross: number; discounts: number; fees: number; refunds: number; net: number };
export type PromoCodeView = {
  id: string; eventId: string; code: string; percentOff: number | null; amountOff: number | null; typeId: string | null;
  maxUses: number | null; uses: number; startsAt: string | null; endsAt: string | null; disabledAt: string | null; createdAt: string;
};
export type NewPromoCode = { code: string; percentOff?: number; amountOff?: number; typeId: string | null; maxUses: number | null; startsAt: string | null; endsAt: string | null };
export type PromoQuoteView = { code: string; currency: string; quantity: number; unitPrice: number; unitDiscount: number; discount: number; amount: number };
export type OpsStatusView = {
  at: string; cluster: boolean;
  self: { nodeId: string; shardsOwned: number; shardsTotal: number; ready: boolean; queueWaiters: number; workers: { index: number; alive: boolean; shards: number; mailboxDepth: number }[] };
  nodes: { nodeId: string; shards: number; lastRaisedAt: string | null }[];
  shards: { shard: number; epoch: number; owner: string | null; raisedAt: string | null }[] | null;
  jobs: { name: string; created: number; scheduled: number; retry: number; active: number; failed: number }[] | null;
  links: { metrics: string; health: string };
};

export type NotifyChoice = 'email' | 'sms' | 'both';
/** phone: E.164 or null; notify: how order notices reach the buyer (#14); smsAvailable: only on GET /api/auth/account and PATCH /api/account. */
export type AccountView = {
  id: string; email: string; name: string; role: string; emailVerified: boolean;
  phone: string | null; country: string | null; notify: NotifyChoice; smsAvailable?: boolean;
  locale?: 'en' | 'fr' | 'ar' | null;
};
export type ContactBody = { phone?: string | null; country?: string | null; notify?: NotifyChoice };
export type AuthReply = { token: string; account: AccountView };

export type SignupBody = { email: string; password: string; name: string; role: 'participant' | 'organizer' } & ContactBody;

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
    // The per-person limit says how many tickets the buyer may still take (#15).
    if (this.code === 'limit_reached' && typeof this.detail.remaining === 'number') {
      return this.detail.remaining > 0 ? t('error.limit_remaining', { n: this.detail.remaining }) : t('error.limit_none');
    }
    const key = `error.${this.code}`;
    if (hasMessage(key)) return t(key);
    if (this.code === 'unreachable' || this.code === 'unexpected') return t(`error.${this.code}`);
    return this.message || t('error.unexpected');
  }
}

export type Fetch = typeof fetch;
/** `body` goes as JSON; `raw` as its bytes with its own Content-Type (a poster). */
export type SendOptions = { body?: unknown; headers?: Record<string, string>; raw?: { bytes: Uint8Array | ArrayBuffer | Blob; type: string } };

/** Requests that hang past this fail as "unreachable" rather than leaving a page spinning. */
export const requestTimeoutMs = 15_000;

/**
 * `forwardedFor` is the X-Forwarded-For chain ending with the browser's
 * address when the storefront's server calls on a person's behalf: the edge
 * rate-limits by it when the call carries the storefront's proof
 * (storefront/src/lib/server/edge.ts) or comes from a proxy it trusts.
 * `onTokenRefused` runs when the edge refuses `token` itself (401
 * `unauthenticated`: expired, or signed with a secret the edge no longer
 * has), before the `ApiError` is thrown.
 */
export function createApi(fetchFn: Fetch, base: string, token: string | null = null, forwardedFor: string | null = null, onTokenRefused?: () => void) {
  const send = createSend(fetchFn, base, token, forwardedFor, onTokenRefused);
  return {
    send,
    ...accountVerbs(send),
    ...eventVerbs(send),
    ...buyerVerbs(send),
    ...staffVerbs(send),
  };
}

/** One request to the edge: the answer's JSON, or an `ApiError` a person can read. */
type Send = <T>(method: string, path: string, options?: SendOptions) => Promise<T>;

function createSend(fetchFn: Fetch, base: string, token: string | null, forwardedFor: string | null, onTokenRefused: (() => void) | undefined): Send {
  return async function send<T>(method: string, path: string, options: SendOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.raw !== undefined) headers['content-type'] = options.raw.type;
    if (token) headers.authorization = `Bearer ${token}`;
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    let response: Response;
    try {
      response = await fetchFn(base + path, {
        method,
        headers,
        body: options.raw !== undefined ? (options.raw.bytes as BodyInit) : options.body === undefined ? undefined : JSON.stringify(options.body),
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
      if (response.status === 401 && code === 'unauthenticated' && token) onTokenRefused?.();
      throw new ApiError(response.status, code as string, typeof message === 'string' ? message : '', detail);
    }
    throw new ApiError(response.status, response.status >= 500 ? 'unexpected' : `http_${response.status}`, response.status >= 500 ? '' : response.statusText);
  };
}

const key = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });

/** Signing up and in, and a person's own account. */
function accountVerbs(send: Send) {
  return {
    signup: (body: SignupBody) => send<AuthReply>('POST', '/api/auth/signup', { body }),
    signin: (body: { email: string; password: string }) => send<AuthReply>('POST', '/api/auth/signin', { body }),
    account: () => send<AccountView>('GET', '/api/auth/account'),
    patchAccount: (body: ContactBody) => send<AccountView>('PATCH', '/api/account', { body }),
    requestEmailVerification: (locale: string) => send<{ emailVerified: boolean; sent: boolean }>('POST', '/api/auth/verify-email/request', { body: { locale } }),
    verifyEmail: (token: string) => send<{ emailVerified: true }>('POST', '/api/auth/verify-email', { body: { token } }),
    setPassword: (body: { token: string; password: string }) => send<AuthReply>('POST', '/api/auth/set-password', { body }),
    // Accounts (#15).
    requestPasswordReset: (body: { email: string; locale: string }) => send<{ sent: true; message: string }>('POST', '/api/auth/password-reset/request', { body }),
    resetPassword: (body: { token: string; password: string }) => send<AuthReply>('POST', '/api/auth/password-reset', { body }),
    changePassword: (body: { currentPassword: string; newPassword: string }) => send<{ token: string }>('POST', '/api/account/password', { body }),
    changeEmail: (body: { newEmail: string; password: string; locale: string }) => send<{ sent: true; pendingEmail: string }>('POST', '/api/account/email', { body }),
    confirmEmail: (token: string) => send<AccountView>('POST', '/api/account/email/confirm', { body: { token } }),
    patchProfile: (body: { name?: string; locale?: 'en' | 'fr' | 'ar' | null }) => send<AccountView>('PATCH', '/api/account', { body }),
    deleteAccount: (password: string) => send<{ deleted: true; message: string }>('POST', '/api/account/delete', { body: { password } }),
    exportAccount: () => send<unknown>('GET', '/api/account/export'),
  };
}

/** Events as buyers see them and as organizers make them. */
function eventVerbs(send: Send) {
  return {
    events: () => send<{ events: EventView[] }>('GET', '/api/events'),
    myEvents: () => send<{ events: EventView[] }>('GET', '/api/events?mine=1'),
    event: (id: string) => send<EventView>('GET', `/api/events/${encodeURIComponent(id)}`),
    createEvent: (body: unknown) => send<EventView>('POST', '/api/events', { body }),
    patchEvent: (id: string, body: unknown) => send<EventView>('PATCH', `/api/events/${encodeURIComponent(id)}`, { body }),
    uploadPoster: (id: string, bytes: Uint8Array | ArrayBuffer | Blob, type: string) =>
      send<{ poster: PosterView }>('PUT', `/api/events/${encodeURIComponent(id)}/poster`, { raw: { bytes, type } }),
    removePoster: (id: string) => send<null>('DELETE', `/api/events/${encodeURIComponent(id)}/poster`),
    publishEvent: (id: string) => send<EventView>('POST', `/api/events/${encodeURIComponent(id)}/publish`),
    cancelEvent: (id: string, eventName: string) => send<CancellationView>('POST', `/api/events/${encodeURIComponent(id)}/cancel`, { body: { eventName } }),
    cancellation: (id: string) => send<{ cancellation: CancellationView | null }>('GET', `/api/events/${encodeURIComponent(id)}/cancellation`),
  };
}

/** What a buyer does: queue, hold, check out, pay, and their orders and tickets. */
function buyerVerbs(send: Send) {
  return {
    placeHold: (eventId: string, body: { typeId: string; quantity: number }, idempotencyKey: string, admission?: string) =>
      send<HoldView>('POST', `/api/events/${encodeURIComponent(eventId)}/holds`, {
        body,
        headers: { ...key(idempotencyKey), ...(admission ? { 'admission-token': admission } : {}) },
      }),
    placeBasket: (eventId: string, items: { typeId: string; quantity: number }[], idempotencyKey: string, admission?: string) =>
      send<BasketView>('POST', `/api/events/${encodeURIComponent(eventId)}/holds`, {
        body: { items },
        headers: { ...key(idempotencyKey), ...(admission ? { 'admission-token': admission } : {}) },
      }),
    hold: (id: string) => send<HoldView>('GET', `/api/holds/${encodeURIComponent(id)}`),
    releaseHold: (id: string) => send<HoldView>('DELETE', `/api/holds/${encodeURIComponent(id)}`),
    queueStatus: (eventId: string) => send<QueueStatusView>('GET', `/api/events/${encodeURIComponent(eventId)}/queue`),
    joinQueue: (eventId: string, body: { pow?: { issuedAt: number; nonce: string } } = {}) =>
      send<JoinedView>('POST', `/api/events/${encodeURIComponent(eventId)}/queue`, { body }),
    admission: (eventId: string, queueTicket: string) => send<AdmissionView>('POST', `/api/events/${encodeURIComponent(eventId)}/admission`, { body: { queueTicket } }),
    queueChallenge: (eventId: string) => send<{ challenge: string; issuedAt: number; bits: number; expiresAt: string }>('GET', `/api/events/${encodeURIComponent(eventId)}/queue/challenge`),
    queueSettings: (eventId: string) => send<QueueSettingsView>('GET', `/api/events/${encodeURIComponent(eventId)}/queue/settings`),
    patchQueueSettings: (eventId: string, body: Partial<Omit<QueueSettingsView, 'admissionRatePerMinute'>> & { admissionRatePerMinute?: number | 'auto' }) =>
      send<QueueSettingsView>('PATCH', `/api/events/${encodeURIComponent(eventId)}/queue/settings`, { body }),
    checkout: (holdId: string, body: { provider: Provider; locale: 'en' | 'fr' | 'ar'; basket?: string[]; holders?: Record<string, string[]>; promoCode?: string }) =>
      send<OrderView>('POST', `/api/holds/${encodeURIComponent(holdId)}/checkout`, { body }),
    promoQuote: (holdId: string, code: string) => send<PromoQuoteView>('GET', `/api/holds/${encodeURIComponent(holdId)}/promo?code=${encodeURIComponent(code)}`),
    promoCodes: (eventId: string) => send<{ codes: PromoCodeView[] }>('GET', `/api/events/${encodeURIComponent(eventId)}/promo-codes`),
    createPromoCode: (eventId: string, body: NewPromoCode) => send<PromoCodeView>('POST', `/api/events/${encodeURIComponent(eventId)}/promo-codes`, { body }),
    disablePromoCode: (eventId: string, code: string) =>
      send<PromoCodeView>('POST', `/api/events/${encodeURIComponent(eventId)}/promo-codes/${encodeURIComponent(code)}/disable`),
    orders: () => send<{ orders: OrderView[] }>('GET', '/api/orders'),
    order: (id: string) => send<OrderView>('GET', `/api/orders/${encodeURIComponent(id)}`),
    orderTickets: (id: string) => send<{ orderId: string; eventId: string; status: OrderStatus; tickets: TicketView[] }>('GET', `/api/orders/${encodeURIComponent(id)}/tickets`),
    setHolder: (ticketId: string, name: string) => send<TicketView>('PUT', `/api/tickets/${encodeURIComponent(ticketId)}/holder`, { body: { name } }),
    refund: (id: string) => send<OrderView>('POST', `/api/orders/${encodeURIComponent(id)}/refund`),
    simulatedSession: (session: string) => send<SimulatedSessionView>('GET', `/api/payments/simulated/${encodeURIComponent(session)}`),
    simulatedOutcome: (session: string, outcome: 'pay' | 'decline') =>
      send<{ session: string; orderId: string; status: string; result: string }>('POST', `/api/payments/simulated/${encodeURIComponent(session)}`, { body: { outcome } }),
  };
}

/** Organizer, door staff and operator (#6, second half). */
function staffVerbs(send: Send) {
  return {
    checkinLists: (eventId: string) => send<{ lists: CheckinListView[] }>('GET', `/api/events/${encodeURIComponent(eventId)}/checkin/lists`),
    createCheckinList: (eventId: string, body: { name: string; typeIds?: string[] }) => send<CheckinListView>('POST', `/api/events/${encodeURIComponent(eventId)}/checkin/lists`, { body }),
    deleteCheckinList: (eventId: string, listId: string) => send<null>('DELETE', `/api/events/${encodeURIComponent(eventId)}/checkin/lists/${encodeURIComponent(listId)}`),
    staff: (eventId: string) => send<{ staff: StaffView[] }>('GET', `/api/events/${encodeURIComponent(eventId)}/staff`),
    addStaff: (eventId: string, body: { email: string; name?: string; locale?: string }) => send<StaffView>('POST', `/api/events/${encodeURIComponent(eventId)}/staff`, { body }),
    removeStaff: (eventId: string, staffId: string) => send<null>('DELETE', `/api/events/${encodeURIComponent(eventId)}/staff/${encodeURIComponent(staffId)}`),
    staffEvents: () => send<{ events: StaffEventView[] }>('GET', '/api/staff/events'),
    eventKeys: (eventId: string) => send<EventKeysView>('GET', `/api/events/${encodeURIComponent(eventId)}/keys`),
    checkin: (body: { list: string; secret?: string; ticketId?: string; code?: string; gate?: string; device?: string }) => send<CheckinReply>('POST', '/api/checkin', { body }),
    checkinSync: (body: { list: string; scans: SyncScan[] }) => send<SyncReply>('POST', '/api/checkin/sync', { body }),
    checkinStats: (eventId: string) => send<CheckinStatsView>('GET', `/api/events/${encodeURIComponent(eventId)}/checkin/stats`),
    checkinLookup: (eventId: string, q: string) => send<{ tickets: CheckinTicketView[] }>('GET', `/api/events/${encodeURIComponent(eventId)}/checkin/lookup?q=${encodeURIComponent(q)}`),
    payout: (eventId: string) => send<PayoutView>('GET', `/api/events/${encodeURIComponent(eventId)}/payout`),
    sales: (eventId: string, bucket: 'minute' | 'hour' | 'day' = 'minute') => send<{ eventId: string; bucket: string; points: { at: string; tickets: number; revenue: number }[] }>('GET', `/api/events/${encodeURIComponent(eventId)}/sales?bucket=${bucket}`),
    opsStatus: () => send<OpsStatusView>('GET', '/api/ops/status'),
  };
}

export type Api = ReturnType<typeof createApi>;
