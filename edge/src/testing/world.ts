import { randomUUID } from 'node:crypto';
import { upsertOperator, insertAccount } from '../../../engine/src/db/accounts.ts';
import { signIn, signUp, testPassword, type Answer, type SignUpRole } from '../../../engine/src/testing/kit.ts';
import { hashPassword } from '../auth/passwords.ts';
import { startOrdersNode, until, type OrdersNode } from './orders_node.ts';

/**
 * The fixture world of the authorization matrix and the fuzz test: one node
 * as `npm start` runs it (jobs, simulated payments, bench routes, the
 * configured operator), and every kind of caller with something of their own.
 *
 * - `organizer` owns `event` (plain, the one with holds, orders, tickets and
 *   check-in) and `drop` (a queued drop, open, where `participant` has an
 *   admitted place); `organizer2` owns `event2`.
 * - `staff` is assigned to `event`, `staff2` to `event2`, the way new door
 *   staff are: the event's organizer invites an email
 *   (`POST /api/events/:id/staff`), and the invitee sets a password with the
 *   emailed link (`POST /api/auth/set-password`). Extra staff are existing
 *   accounts invited, which assigns them at once.
 * - `participant` has a hold, a pending order and a paid order with tickets
 *   on `event`; `participant2` has a hold on `event` too, so "another
 *   participant" is a buyer of the same event, not a stranger to it.
 *
 * The roles are named relative to those resources: a matrix cell for
 * `organizer2` asks about `organizer`'s event, and so on.
 */

export type Role = 'anonymous' | 'participant' | 'participant2' | 'organizer' | 'organizer2' | 'staff' | 'staff2' | 'operator';
export const roles: readonly Role[] = ['anonymous', 'participant', 'participant2', 'organizer', 'organizer2', 'staff', 'staff2', 'operator'];

export const operatorEmail = 'operator@matrix.test';
export const operatorPassword = 'operator password of the matrix';
/** What a Prometheus scraper sends (TICKR_METRICS_TOKEN of the world's node). */
export const metricsToken = 'metrics-token-of-the-matrix-0123456789';
/** The password of every account the world signs up. */
export const password = testPassword;

export type Account = { id: string; token: string; email: string };
type Event = { id: string; typeId: string };
export type PaidOrder = { id: string; tickets: { id: string; secret: string }[] };

export type World = {
  n: OrdersNode;
  accounts: Record<Exclude<Role, 'anonymous'>, Account>;
  /** The bearer token of each role; null for anonymous. */
  token(role: Role): string | null;
  event: Event;
  event2: Event;
  drop: Event;
  holdId: string;
  pending: { id: string; session: string };
  paid: PaidOrder;
  listId: string;
  /** A check-in list of `event2`, for rows that mix one event's path with another's list. */
  list2Id: string;
  /** `participant`'s queue ticket on `drop`, with a place the head has passed. */
  queueTicket: string;
  call(method: string, path: string, opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  freshHold(who?: Account, event?: Event): Promise<string>;
  freshPendingOrder(): Promise<{ id: string; session: string }>;
  freshPaidOrder(quantity?: number): Promise<PaidOrder>;
  freshList(): Promise<string>;
  /** A new staff account assigned to `event` (invited by `organizer`); its account id. */
  freshStaff(): Promise<string>;
  /** A new invite to `event` of an email with no account; the invite's id. */
  freshInvite(): Promise<string>;
  /** The token of the set-password link of a new invite to `event`, as its email carries it. */
  freshSetPasswordLink(): Promise<string>;
  /** A new participant account (no password; a token), for rows that change or delete an account. */
  freshAccount(): Promise<Account>;
  /** The token of the email verification link a new account asked for. */
  freshVerifyLink(): Promise<string>;
  stop(): Promise<void>;
};

function ok(a: Answer, what: string, ...statuses: number[]): Answer {
  if (!statuses.includes(a.status)) throw new Error(`${what}: ${a.status} ${JSON.stringify(a.body)}`);
  return a;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const n = await startWorldNode(env);
  const call: World['call'] = (method, path, opts = {}) =>
    n.api.call(method, path, { ...(opts.token ? { token: opts.token } : {}), ...(opts.body !== undefined ? { body: opts.body } : {}), ...(opts.headers ? { headers: opts.headers } : {}) });
  const mail = worldMail(n, call);
  const { accounts, event, event2, drop } = await worldCallers(n, call, mail);
  const { participant, participant2, organizer, organizer2 } = accounts;
  const fresh = freshMakers(n, call, mail, accounts, event);

  const list2 = async () =>
    ok(await call('POST', `/api/events/${event2.id}/checkin/lists`, { token: organizer2.token, body: { name: 'Gate of event2' } }), 'list2', 201).body.id as string;
  const [holdId, , pending, paid, listId, list2Id, queueTicket] = await Promise.all([
    fresh.freshHold(), fresh.freshHold(participant2), fresh.freshPendingOrder(), fresh.freshPaidOrder(3), fresh.freshList(), list2(), admittedPlace(call, organizer, participant, drop),
  ]);

  return {
    n, accounts, event, event2, drop, holdId, pending, paid, listId, list2Id, queueTicket, call,
    token: (role) => (role === 'anonymous' ? null : accounts[role].token),
    ...fresh,
    stop: () => n.stop(),
  };
}

/** The world's node, with its configured operator. */
async function startWorldNode(env: Record<string, string>): Promise<OrdersNode> {
  // Every sign-up comes from 127.0.0.1: the matrix's and the fuzz's many would meet the per-address limit, which they do not test.
  const n = await startOrdersNode({ env: {
    TICKR_BENCH_ROUTES: '1', TICKR_OPERATOR_EMAIL: operatorEmail, TICKR_OPERATOR_PASSWORD: operatorPassword, TICKR_SIGNUPS_PER_ADDRESS: '100000',
    TICKR_METRICS_TOKEN: metricsToken, TICKR_TICKET_KEY_SECRET: 'ticket-key-secret-of-the-matrix-0123456789abcdef', ...env,
  } });
  // What node.ts does at start with TICKR_OPERATOR_EMAIL and TICKR_OPERATOR_PASSWORD.
  await upsertOperator(n.t.db, n.config.operatorEmail!, await hashPassword(n.config.operatorPassword!), 'Operator');
  return n;
}

/** How the world makes accounts without signing up, invites staff, and reads the links its emails carry. */
type WorldMail = {
  plainAccount: (name: string, role: 'participant' | 'staff') => Promise<Account>;
  /** An invite of `email` to `on` by `by`; the invite's id. */
  invite: (by: Account, on: Event, email: string) => Promise<string>;
  linkSent: (email: string, template: string) => Promise<string>;
};

function worldMail(n: OrdersNode, call: World['call']): WorldMail {
  return {
    // An account with no password that signs in with a token only, as sign-in would give it (hashing a password costs
    // a second on a busy machine): the extra staff and the accounts the operator rows change or delete.
    plainAccount: async (name, role) => {
      const email = `${name.toLowerCase()}-${randomUUID()}@matrix.test`;
      const made = await insertAccount(n.t.db, { email, passwordHash: 'no password: signs in with a token only', name, role });
      return { id: made!.id, email, token: await n.server.tokens.sign({ sub: made!.id, role, name }) };
    },
    invite: async (by, on, email) =>
      ok(await call('POST', `/api/events/${on.id}/staff`, { token: by.token, body: { email } }), 'staff invite', 202).body.id as string,
    /** The token of the newest link of `template` sent to `email`, read from the dev outbox as a developer would. */
    linkSent: async (email, template) => {
      const mail = ok(await call('GET', `/api/dev/mail?to=${encodeURIComponent(email)}`), 'dev mail', 200).body.emails.find((m: { template: string }) => m.template === template);
      const link = /\?token=([^\s"<>&]+)/.exec(mail?.text ?? '');
      if (link === null) throw new Error(`no ${template} link in the outbox for ${email}`);
      return decodeURIComponent(link[1]!);
    },
  };
}

/** Every role's account, and the events they own or work at. */
async function worldCallers(n: OrdersNode, call: World['call'], mail: WorldMail): Promise<{ accounts: World['accounts']; event: Event; event2: Event; drop: Event }> {
  const signup = (role: SignUpRole, name: string): Promise<Account> => signUp(n.api.call, role, { name, password, emailDomain: 'matrix.test' });
  const operator = await signIn(n.api.call, { email: operatorEmail, password: operatorPassword });
  const [participant, participant2, organizer, organizer2] = await Promise.all([
    signup('participant', 'Pat'), signup('participant', 'Quinn'), signup('organizer', 'Olga'), signup('organizer', 'Omar'),
  ]);

  const eventOf = async (who: Account, over: Record<string, unknown> = {}): Promise<Event> => {
    const e = await n.api.createEvent(who.token, { perBuyerLimit: 100, refundPolicy: 'always', ticketTypes: [{ name: 'General', price: 2_000, capacity: 100_000 }], ...over });
    return { id: e.id, typeId: e.typeIds[0]! };
  };
  const [event, event2, drop] = await Promise.all([eventOf(organizer), eventOf(organizer2), eventOf(organizer, { name: 'Queued drop' })]);

  // `staff` and `staff2` come the way new door staff do: the organizer invites an email, the invitee sets a password from the link.
  const invitedStaff = async (by: Account, on: Event, name: string): Promise<Account> => {
    const email = `${name.toLowerCase()}-${randomUUID()}@matrix.test`;
    await mail.invite(by, on, email);
    const set = ok(await call('POST', '/api/auth/set-password', { body: { token: await mail.linkSent(email, 'staff_invite'), password, name } }), 'set password', 201);
    return { id: set.body.account.id, token: set.body.token, email };
  };
  const [staff, staff2] = await Promise.all([invitedStaff(organizer, event, 'Sam'), invitedStaff(organizer2, event2, 'Sue')]);
  return { accounts: { participant, participant2, organizer, organizer2, staff, staff2, operator }, event, event2, drop };
}

type FreshMakers = Pick<World, 'freshHold' | 'freshPendingOrder' | 'freshPaidOrder' | 'freshList' | 'freshStaff' | 'freshInvite' | 'freshSetPasswordLink' | 'freshAccount' | 'freshVerifyLink'>;

/** The world's `fresh*` makers: new resources of `participant` and `organizer` on `event`. */
function freshMakers(n: OrdersNode, call: World['call'], mail: WorldMail, accounts: World['accounts'], event: Event): FreshMakers {
  const { participant, organizer } = accounts;
  const { plainAccount, invite, linkSent } = mail;
  const freshHold: World['freshHold'] = async (who = participant, on = event) =>
    ok(await n.api.hold(who.token, on.id, on.typeId, 1), 'hold', 201).body.holdId;
  const freshPendingOrder = async () => {
    const holdId = await freshHold();
    const a = ok(await call('POST', `/api/holds/${holdId}/checkout`, { token: participant.token, body: { provider: 'simulated' } }), 'checkout', 201);
    return { id: a.body.id as string, session: a.body.payment.providerRef as string };
  };
  const freshPaidOrder = async (quantity = 1): Promise<PaidOrder> => {
    const hold = ok(await n.api.hold(participant.token, event.id, event.typeId, quantity), 'hold', 201).body.holdId;
    const order = ok(await call('POST', `/api/holds/${hold}/checkout`, { token: participant.token, body: { provider: 'simulated' } }), 'checkout', 201).body;
    ok(await call('POST', `/api/payments/simulated/${order.payment.providerRef}`, { token: participant.token, body: { outcome: 'pay' } }), 'pay', 200);
    const tickets = await until(async () => {
      const a = await call('GET', `/api/orders/${order.id}/tickets`, { token: participant.token });
      return a.body.status === 'ticketed' && a.body.tickets.length === quantity && a.body.tickets.every((t: { secret: string | null }) => t.secret !== null) ? a.body.tickets : null;
    }, `order ${order.id} ticketed`);
    return { id: order.id, tickets: tickets.map((t: { id: string; secret: string }) => ({ id: t.id, secret: t.secret })) };
  };
  const freshList = async () =>
    ok(await call('POST', `/api/events/${event.id}/checkin/lists`, { token: organizer.token, body: { name: `Gate ${randomUUID().slice(0, 8)}` } }), 'list', 201).body.id as string;
  const freshStaff = async () => {
    // An invite of an existing account assigns it at once.
    const made = await plainAccount('Extra', 'staff');
    await invite(organizer, event, made.email);
    return made.id;
  };
  const freshInvite = async () => invite(organizer, event, `invitee-${randomUUID()}@matrix.test`);
  const freshSetPasswordLink = async () => {
    const email = `invitee-${randomUUID()}@matrix.test`;
    await invite(organizer, event, email);
    return linkSent(email, 'staff_invite');
  };
  const freshAccount = () => plainAccount('Fresh', 'participant');
  const freshVerifyLink = async () => {
    const made = await freshAccount();
    ok(await call('POST', '/api/auth/verify-email/request', { token: made.token, body: {} }), 'verification request', 202);
    return linkSent(made.email, 'verify_email');
  };
  return { freshHold, freshPendingOrder, freshPaidOrder, freshList, freshStaff, freshInvite, freshSetPasswordLink, freshAccount, freshVerifyLink };
}

/** Opens `drop`'s queue, queues `who`, and waits until the head has passed their place (admission answers 201). */
async function admittedPlace(call: World['call'], organizer: Account, who: Account, drop: Event): Promise<string> {
  ok(await call('PATCH', `/api/events/${drop.id}/queue/settings`, { token: organizer.token, body: { queueEnabled: true, admissionRatePerMinute: 600 } }), 'queue settings', 200);
  const joined = await until(async () => {
    const a = await call('POST', `/api/events/${drop.id}/queue`, { token: who.token, body: {} });
    return a.body.place !== null && a.body.place !== undefined ? a.body : null;
  }, 'a place in the queue');
  await until(async () => (await call('POST', `/api/events/${drop.id}/admission`, { token: who.token, body: { queueTicket: joined.queueTicket } })).status === 201, 'admission');
  return joined.queueTicket as string;
}
