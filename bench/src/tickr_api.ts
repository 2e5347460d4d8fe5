/**
 * The few Tickr HTTP calls that set a scenario up, before anything is
 * measured. Any unexpected answer stops the bench with the status and body,
 * so a changed API shows up as a clear message, not as a wrong figure.
 */

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

export type TicketTypeView = { id: string; name?: string; capacity: number; sold: number; held: number; available?: number };
export type EventView = { id: string; ticketTypes: TicketTypeView[] };

export type EventDraft = {
  name: string;
  venue: string;
  startsAt: string;
  currency: string;
  perBuyerLimit: number;
  holdTtlSeconds: number;
  ticketTypes: { name: string; price: number; capacity: number }[];
};

async function call<T>(baseUrl: string, method: string, path: string, opts: { token?: string; body?: unknown; expect: number[] }): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  }).catch((error: Error) => {
    // fetch says only "fetch failed"; the reason (refused, reset) is in its cause.
    const cause = (error.cause as Error | undefined)?.message ?? error.message;
    throw new ApiError(`${method} ${path}: no answer (${cause}); is the node still up?`, 0, '');
  });
  const text = await response.text();
  if (!opts.expect.includes(response.status)) {
    throw new ApiError(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`, response.status, text);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, response.status, text);
  }
}

export type Role = 'participant' | 'organizer';

/** Signs an account up and returns its bearer token. */
export async function signup(baseUrl: string, account: { email: string; password: string; name: string; role: Role }): Promise<string> {
  const answer = await call<{ token?: string }>(baseUrl, 'POST', '/api/auth/signup', { body: account, expect: [200, 201] });
  if (typeof answer.token !== 'string') throw new Error('POST /api/auth/signup answered without a token');
  return answer.token;
}

/** A fresh organizer through the real signup route (one password hash), so that API path stays exercised; its token. */
export function signupOrganizer(baseUrl: string, tag: string): Promise<string> {
  return signup(baseUrl, { email: `organizer-${tag}@bench.tickr.test`, password: `bench-${crypto.randomUUID()}`, name: 'Bench organizer', role: 'organizer' });
}

export async function createEvent(baseUrl: string, token: string, draft: EventDraft): Promise<EventView> {
  const event = await call<EventView>(baseUrl, 'POST', '/api/events', { token, body: draft, expect: [200, 201] });
  if (typeof event.id !== 'string' || !Array.isArray(event.ticketTypes) || !event.ticketTypes[0]?.id) {
    throw new Error(`POST /api/events answered without an id and ticket type ids: ${JSON.stringify(event).slice(0, 300)}`);
  }
  return event;
}

/**
 * The event every scenario loads: one general-admission type, on sale now,
 * `startsInDays` ahead (a year unless said), in EUR at 50.00 unless said.
 */
export function createGaEvent(
  baseUrl: string,
  token: string,
  o: { name: string; capacity: number; perBuyerLimit: number; holdTtlSeconds: number; currency?: string; price?: number; startsInDays?: number },
): Promise<EventView> {
  return createEvent(baseUrl, token, {
    name: o.name,
    venue: 'bench',
    startsAt: new Date(Date.now() + (o.startsInDays ?? 365) * 86_400_000).toISOString(),
    currency: o.currency ?? 'EUR',
    perBuyerLimit: o.perBuyerLimit,
    holdTtlSeconds: o.holdTtlSeconds,
    ticketTypes: [{ name: 'GA', price: o.price ?? 5000, capacity: o.capacity }],
  });
}

export function getEvent(baseUrl: string, eventId: string): Promise<EventView> {
  return call<EventView>(baseUrl, 'GET', `/api/events/${encodeURIComponent(eventId)}`, { expect: [200] });
}

/** Runs `count` tasks with at most `width` at once, keeping their order. */
export async function inParallel<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}
