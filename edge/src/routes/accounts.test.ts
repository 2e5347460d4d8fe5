import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertOperator } from '../../../engine/src/db/accounts.ts';
import { startOrdersNode, type OrdersNode } from '../testing/orders_node.ts';

/**
 * Tokens do not outlive their account: deletion voids them (401, never a 500),
 * a role change reshapes them (a demoted organizer is a participant at once),
 * a password change voids every earlier token. End to end on a real node.
 */

let n: OrdersNode;
let operator: string;
let organizer: { token: string; id: string };

function expectError(a: { status: number; body: any }, status: number, code: string): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status, code });
  expect(a.body.error.message.length).toBeGreaterThan(10);
}

beforeAll(async () => {
  n = await startOrdersNode();
  const ops = await upsertOperator(n.t.db, 'ops@test.tickr', 'scrypt$disabled', 'Ops');
  operator = await n.server.tokens.sign({ sub: ops.id, role: 'operator', name: 'Ops' });
  organizer = await n.api.signup('organizer', 'org');
});

afterAll(async () => {
  const problems = n?.logged.filter((l) => l.includes('failed')) ?? [];
  await n?.stop();
  expect(problems).toEqual([]);
});

describe('a deleted account', () => {
  it("cannot hold or check out with its old token: 401, never a 500", async () => {
    const drop = await n.api.createEvent(organizer.token);
    const buyer = await n.api.signup('participant', 'leaving');
    const hold = await n.api.hold(buyer.token, drop.id, drop.typeIds[0]!, 1);
    expect(hold.status).toBe(201);

    const deleted = await n.api.call('DELETE', `/api/ops/accounts/${buyer.id}`, { token: operator });
    expect(deleted.status).toBe(200);

    expectError(await n.api.hold(buyer.token, drop.id, drop.typeIds[0]!, 1), 401, 'unauthenticated');
    expectError(await n.api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'simulated' } }), 401, 'unauthenticated');
    // Deleted once: a second deletion finds nothing.
    expectError(await n.api.call('DELETE', `/api/ops/accounts/${buyer.id}`, { token: operator }), 404, 'account_not_found');
  });

  it('frees its email and can no longer sign in', async () => {
    const email = `gone-${randomUUID()}@test.tickr`;
    const made = await n.api.call('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', name: 'Gone', role: 'participant' } });
    expect(made.status).toBe(201);
    expect((await n.api.call('DELETE', `/api/ops/accounts/${made.body.account.id}`, { token: operator })).status).toBe(200);
    expectError(await n.api.call('POST', '/api/auth/signin', { body: { email, password: 'correct horse battery' } }), 401, 'invalid_credentials');
    expect((await n.api.call('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', name: 'Back', role: 'participant' } })).status).toBe(201);
  });
});

describe('a role change', () => {
  it("makes a demoted organizer's token a participant's: 403 on creating an event", async () => {
    const demoted = await n.api.signup('organizer', 'demoted');
    await n.api.createEvent(demoted.token);
    const changed = await n.api.call('PATCH', `/api/ops/accounts/${demoted.id}`, { token: operator, body: { role: 'participant' } });
    expect(changed.body).toMatchObject({ id: demoted.id, role: 'participant' });
    expectError(await n.api.call('POST', '/api/events', { token: demoted.token, body: {} }), 403, 'forbidden');
    // Promoted again, the same token creates events again.
    await n.api.call('PATCH', `/api/ops/accounts/${demoted.id}`, { token: operator, body: { role: 'organizer' } });
    await n.api.createEvent(demoted.token);
  });

  it('is for operators only, and refuses unknown roles and accounts', async () => {
    expectError(await n.api.call('PATCH', `/api/ops/accounts/${organizer.id}`, { token: organizer.token, body: { role: 'operator' } }), 403, 'forbidden');
    expectError(await n.api.call('PATCH', `/api/ops/accounts/${organizer.id}`, { token: operator, body: { role: 'king' } }), 400, 'invalid_body');
    expectError(await n.api.call('PATCH', `/api/ops/accounts/${randomUUID()}`, { token: operator, body: { role: 'staff' } }), 404, 'account_not_found');
    expectError(await n.api.call('DELETE', '/api/ops/accounts/not-a-uuid', { token: operator }), 400, 'invalid_id');
  });
});

describe('a password change', () => {
  it('voids every earlier token and answers a new one', async () => {
    const email = `mover-${randomUUID()}@test.tickr`;
    const made = await n.api.call('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', name: 'Mover', role: 'participant' } });
    const old = made.body.token as string;
    const other = await n.api.call('POST', '/api/auth/signin', { body: { email, password: 'correct horse battery' } });
    expectError(await n.api.call('POST', '/api/account/password', { token: old, body: { currentPassword: 'not my password', newPassword: 'a brand new secret' } }), 403, 'wrong_password');
    const changed = await n.api.call('POST', '/api/account/password', { token: old, body: { currentPassword: 'correct horse battery', newPassword: 'a brand new secret' } });
    expect(changed.status).toBe(200);
    expectError(await n.api.call('GET', '/api/orders', { token: old }), 401, 'unauthenticated');
    expectError(await n.api.call('GET', '/api/orders', { token: other.body.token }), 401, 'unauthenticated');
    expect((await n.api.call('GET', '/api/orders', { token: changed.body.token })).status).toBe(200);
    expect((await n.api.call('POST', '/api/auth/signin', { body: { email, password: 'a brand new secret' } })).status).toBe(200);
  });

  it('refuses a common password and the email as password: 422 weak_password', async () => {
    const email = `weak-${randomUUID()}@test.tickr`;
    const made = await n.api.call('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', name: 'Weak', role: 'participant' } });
    const body = (newPassword: string) => ({ token: made.body.token, body: { currentPassword: 'correct horse battery', newPassword } });
    expectError(await n.api.call('POST', '/api/account/password', body('1234567890')), 422, 'weak_password');
    expectError(await n.api.call('POST', '/api/account/password', body(email.toUpperCase())), 422, 'weak_password');
  });
});

describe('sign-up', () => {
  it('refuses a common password and the email as password: 422 weak_password', async () => {
    const email = `weak-${randomUUID()}@test.tickr`;
    // Common ones whatever their case, the email itself, and its part before the @.
    for (const password of ['password123', 'qwertyuiop', 'Iloveyou12', email, email.split('@')[0]!]) {
      expectError(await n.api.call('POST', '/api/auth/signup', { body: { email, password, name: 'Weak', role: 'participant' } }), 422, 'weak_password');
    }
  });
});
