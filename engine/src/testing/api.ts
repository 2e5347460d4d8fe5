import { randomUUID } from 'node:crypto';

export type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Called with every answer (edge/src/api/recorder.ts checks it against the API's description); it may throw to fail the call. */
export type OnAnswer = (method: string, path: string, status: number, body: unknown, contentType: string) => void;

/** A small client of Tickr's HTTP API, for tests that drive a real node. */
export function apiClient(baseUrl: () => string, client: { onAnswer?: OnAnswer } = {}) {
  async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl()}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Plain text answers (metrics, hello) stay strings.
    }
    client.onAnswer?.(method, path, response.status, body, response.headers.get('content-type') ?? '');
    return { status: response.status, body };
  }

  async function signup(role: 'participant' | 'organizer', name: string = role): Promise<{ token: string; id: string }> {
    const email = `${name}-${randomUUID()}@test.tickr`;
    const answer = await call('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', name, role } });
    if (answer.status !== 201) throw new Error(`signup failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { token: answer.body.token, id: answer.body.account.id };
  }

  async function createEvent(token: string, overrides: Record<string, unknown> = {}): Promise<{ id: string; typeIds: string[] }> {
    const answer = await call('POST', '/api/events', {
      token,
      body: {
        name: 'Test drop',
        venue: 'Hall',
        startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        currency: 'EUR',
        perBuyerLimit: 10,
        holdTtlSeconds: 480,
        ticketTypes: [{ name: 'General', price: 5_000, capacity: 100 }],
        ...overrides,
      },
    });
    if (answer.status !== 201) throw new Error(`create event failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { id: answer.body.id, typeIds: answer.body.ticketTypes.map((t: { id: string }) => t.id) };
  }

  function hold(token: string, eventId: string, typeId: string, quantity: number, key: string = randomUUID()): Promise<Answer> {
    return call('POST', `/api/events/${eventId}/holds`, { token, body: { typeId, quantity }, headers: { 'idempotency-key': key } });
  }

  return { call, signup, createEvent, hold };
}
