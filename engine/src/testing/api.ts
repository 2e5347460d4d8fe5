import { randomUUID } from 'node:crypto';
import { signUp, type SignUpRole, type TestAccount } from './accounts.ts';
import { createEvent, type CreatedEvent } from './events.ts';
import { httpCall, type Answer, type OnAnswer } from './http.ts';

export type { Answer, OnAnswer } from './http.ts';

/** A small client of Tickr's HTTP API, for tests that drive a real node: the kit's helpers bound to one node. */
export function apiClient(baseUrl: () => string, client: { onAnswer?: OnAnswer } = {}) {
  const call = httpCall(baseUrl, client.onAnswer);

  function signup(role: SignUpRole, name: string = role): Promise<TestAccount> {
    return signUp(call, role, { name });
  }

  function createEventOf(token: string, overrides: Record<string, unknown> = {}): Promise<CreatedEvent> {
    return createEvent(call, token, overrides);
  }

  function hold(token: string, eventId: string, typeId: string, quantity: number, key: string = randomUUID()): Promise<Answer> {
    return call('POST', `/api/events/${eventId}/holds`, { token, body: { typeId, quantity }, headers: { 'idempotency-key': key } });
  }

  return { call, signup, createEvent: createEventOf, hold };
}
