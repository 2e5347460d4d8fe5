import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { calendarToken } from '../../engine/src/calendar/calendar_link.ts';
import { picture } from '../../engine/src/testing/pictures.ts';
import { stripeWebhookSecret } from './testing/orders_node.ts';
import { metricsToken, password, type World } from './testing/world.ts';

/**
 * Who may call what: every mounted route × every kind of caller, and the
 * status each one gets. edge/src/authorization.test.ts runs every cell
 * against a real node and fails when a mounted route has no row here, so a
 * new route is one new line below.
 *
 * A row: `row('METHOD /pattern[?query]', 'cells', request?, note?)`.
 * - cells: one status per role, in the order of the header comment
 *   (anonymous, participant, participant2, organizer, organizer2, staff,
 *   staff2, operator). `404` is exact; `4xx` is any client error (used only
 *   where the right refusal is not decided yet, with a note); `-` is not
 *   asserted (with a note saying why).
 * - `404*` (expectedAfter): the right answer, which today's code does not
 *   give yet. The row carries `note.todo` naming the fix; the cell passes
 *   while the answer still differs (like `it.fails`, but a request that
 *   cannot be built still fails), and fails once the fix is merged, saying
 *   to drop the `*`.
 * - request: how to fill the path (and body) for a cell; without it, path
 *   parameters name the world's resources (edge/src/testing/world.ts): the
 *   resource belongs to `participant`, `organizer` and `staff`, so the other
 *   roles ask about someone else's. Rows that change their resource make a
 *   fresh one per cell, so cells do not depend on each other's order.
 * - A row may be a variant of a route: its text after the path names it, e.g.
 *   `(event2's list)`, and its request mixes resources; every route needs at
 *   least one row.
 * - note.production: the row is asked of a production-mode edge
 *   (NODE_ENV=production) instead of the development one.
 */

export type Req = { path: string; body?: unknown; headers?: Record<string, string> };
export type Build = (w: World) => Req | Promise<Req>;
export type Note = { todo?: string; production?: boolean };
export type Row = { route: string; method: string; pattern: string; query: string; cells: string[]; build: Build; note: Note };

/** Path parameters filled with the world's resources, by what the path names. */
export function fill(pattern: string, w: World): string {
  return pattern
    .replace(/^\/api\/events\/:id/, `/api/events/${w.event.id}`)
    .replace(/^\/api\/holds\/:id/, `/api/holds/${w.holdId}`)
    .replace(/^\/api\/orders\/:id/, `/api/orders/${w.paid.id}`)
    .replace(/^\/api\/tickets\/:id/, `/api/tickets/${w.paid.tickets[0]!.id}`)
    .replace(':listId', w.listId)
    .replace(':session', w.pending.session);
}

export function row(route: string, cells: string, build?: Build, note: Note = {}): Row {
  const [method, target] = route.split(' ') as [string, string];
  const [pattern, query = ''] = target.split('?') as [string, string?];
  const path = query === '' ? pattern : `${pattern}?${query}`;
  return { route, method, pattern, query, cells: cells.trim().split(/\s+/), build: build ?? ((w) => ({ path: fill(path, w) })), note };
}

const freshCode = () => `C${randomUUID().replaceAll('-', '').slice(0, 12)}`;
/** A fresh promo code of the world's event, made by its organizer (the rows that disable one need their own). */
const promoOf = async (w: World): Promise<string> => {
  const code = freshCode();
  const made = await w.call('POST', `/api/events/${w.event.id}/promo-codes`, { token: w.token('organizer'), body: { code, percentOff: 10 } });
  if (made.status !== 201) throw new Error(`promo code for the matrix answered ${made.status}: ${JSON.stringify(made.body)}`);
  return code.toLowerCase();
};
const drop = (suffix: string): Build => (w) => ({ path: `/api/events/${w.drop.id}${suffix}` });
const signer = new Stripe('sk_test_signer');
const stripeIgnored = (): Req => {
  const body = JSON.stringify({ id: `evt_${randomUUID().replaceAll('-', '')}`, object: 'event', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } });
  return { path: '/api/webhooks/stripe', body, headers: { 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload: body, secret: stripeWebhookSecret }) } };
};
/** A poster upload: a real PNG, as the raw body. */
const poster = async (path: string): Promise<Req> => ({ path, body: await picture('png', 64, 48), headers: { 'content-type': 'image/png' } });
/** A rendition of `event2`'s poster (organizer2's, which no row changes), uploaded once per world. */
const renditions = new WeakMap<World, Promise<string>>();
const rendition: Build = (w) => {
  let path = renditions.get(w);
  if (path === undefined) {
    path = (async () => {
      const answer = await fetch(`${w.n.base}/api/events/${w.event2.id}/poster`, {
        method: 'PUT', headers: { authorization: `Bearer ${w.token('organizer2')}`, 'content-type': 'image/png' }, body: await picture('png', 64, 48),
      });
      if (answer.status !== 200) throw new Error(`poster upload for the matrix answered ${answer.status}: ${await answer.text()}`);
      return ((await answer.json()) as { poster: { renditions: { url: string }[] } }).poster.renditions[0]!.url;
    })();
    renditions.set(w, path);
  }
  return path.then((p) => ({ path: p }));
};
/** A new event of `organizer`'s, cancelled by the cell (so the world's `event` stays on sale), its name as confirmation. */
const freshCancel: Build = async (w) => {
  const made = await w.n.api.createEvent(w.accounts.organizer.token, { name: 'Cancelled by the matrix' });
  return { path: `/api/events/${made.id}/cancel`, body: { eventName: 'Cancelled by the matrix' } };
};
/** Through the storefront's proxy (or any proxy): a stranger's request, whatever the peer address. */
const proxied = (path: string): Build => () => ({ path, headers: { 'x-forwarded-for': '203.0.113.7' } });

export const table: readonly Row[] = [
  //   route                                              anon part part2 org org2 staff staff2 op
  row('GET /health',                                      '200 200 200 200 200 200 200 200'),
  // A scraper on this machine, talking to the edge directly.
  row('GET /metrics',                                     '200 200 200 200 200 200 200 200'),
  // The API's description is public, like the API's shape is (no data in it).
  row('GET /api/openapi.json',                            '200 200 200 200 200 200 200 200'),
  row('GET /api/docs',                                    '200 200 200 200 200 200 200 200'),
  row('GET /api/docs/scalar.js',                          '200 200 200 200 200 200 200 200'),
  row('GET /metrics (through a proxy)',                   '401 403 403 403 403 403 403 200', proxied('/metrics')),
  row('GET /metrics (a scraper with TICKR_METRICS_TOKEN, through a proxy)', '200 200 200 200 200 200 200 200',
    () => ({ path: '/metrics', headers: { 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${metricsToken}` } })),
  row('POST /api/auth/signup',                            '201 201 201 201 201 201 201 201', () => ({ path: '/api/auth/signup', body: { email: `new-${randomUUID()}@matrix.test`, password, name: 'New', role: 'participant' } })),
  row('POST /api/auth/signin',                            '200 200 200 200 200 200 200 200', (w) => ({ path: '/api/auth/signin', body: { email: w.accounts.participant.email, password } })),
  row('GET /api/auth/account',                            '401 200 200 200 200 200 200 200'),
  // Staff set their password from an emailed link, which verified their email already: nothing to send.
  row('POST /api/auth/verify-email/request',              '401 202 202 202 202 200 200 202', () => ({ path: '/api/auth/verify-email/request', body: {} })),
  // The links of emails need no sign-in (they may be opened on another device): the token is the proof, whoever sends it.
  row('POST /api/auth/verify-email',                      '200 200 200 200 200 200 200 200', async (w) => ({ path: '/api/auth/verify-email', body: { token: await w.freshVerifyLink() } })),
  row('POST /api/auth/set-password',                      '201 201 201 201 201 201 201 201', async (w) => ({ path: '/api/auth/set-password', body: { token: await w.freshSetPasswordLink(), password } })),
  // Each caller's own password, given wrong: a right one would void the role's token for the cells after it.
  row('PATCH /api/account',                               '401 200 200 200 200 200 200 200', () => ({ path: '/api/account', body: { notify: 'email' } })),
  row('POST /api/account/password',                       '401 403 403 403 403 403 403 403', () => ({ path: '/api/account/password', body: { currentPassword: 'not the password of anyone', newPassword: 'a new and unusual password' } })),
  // #15. A reset request answers 202 to anyone, whether or not the email has an account.
  row('POST /api/auth/password-reset/request',            '202 202 202 202 202 202 202 202', () => ({ path: '/api/auth/password-reset/request', body: { email: `nobody-${randomUUID()}@matrix.test` } })),
  // The link is the proof, whoever sends it: a token that opens nothing is 400 for everyone.
  row('POST /api/auth/password-reset',                    '400 400 400 400 400 400 400 400', () => ({ path: '/api/auth/password-reset', body: { token: 'A'.repeat(43), password: 'a new and unusual password' } })),
  row('POST /api/account/email',                          '401 403 403 403 403 403 403 403', () => ({ path: '/api/account/email', body: { newEmail: `new-${randomUUID()}@matrix.test`, password: 'not the password of anyone' } })),
  row('POST /api/account/email/confirm',                  '400 400 400 400 400 400 400 400', () => ({ path: '/api/account/email/confirm', body: { token: 'A'.repeat(43) } })),
  // Organizers with events and operators are refused before the password is checked (409); the others get 403 for a wrong password.
  row('POST /api/account/delete',                         '401 403 403 409 409 403 403 409', () => ({ path: '/api/account/delete', body: { password: 'not the password of anyone' } })),
  row('GET /api/account/export',                          '401 200 200 200 200 200 200 200'),
  row('PATCH /api/ops/accounts/:id',                      '401 403 403 403 403 403 403 200', async (w) => ({ path: `/api/ops/accounts/${(await w.freshAccount()).id}`, body: { role: 'organizer' } })),
  row('DELETE /api/ops/accounts/:id',                     '401 403 403 403 403 403 403 200', async (w) => ({ path: `/api/ops/accounts/${(await w.freshAccount()).id}` })),
  row('GET /api/events',                                  '200 200 200 200 200 200 200 200'),
  row('GET /api/events?mine=1',                           '401 403 403 200 200 403 403 403'),
  row('POST /api/events',                                 '401 403 403 201 201 403 403 403', () => ({ path: '/api/events', body: { name: 'Matrix', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), currency: 'EUR', ticketTypes: [{ name: 'GA', price: 100, capacity: 1 }] } })),
  row('GET /api/events/:id',                              '200 200 200 200 200 200 200 200'),
  row('PATCH /api/events/:id',                            '401 403 403 200 404 403 403 403', (w) => ({ path: fill('/api/events/:id', w), body: { name: 'Renamed by the matrix' } })),
  // Posters (#14): the event's organizer uploads and removes; anyone sees a rendition.
  row('PUT /api/events/:id/poster',                       '401 403 403 200 404 403 403 403', (w) => poster(fill('/api/events/:id/poster', w))),
  row('DELETE /api/events/:id/poster',                    '401 403 403 204 404 403 403 403'),
  row('GET /api/posters/:file',                           '200 200 200 200 200 200 200 200', rendition),
  row('POST /api/events/:id/publish',                     '401 403 403 200 404 403 403 403'),
  // #15. Cancelling: the event's organizer only; its progress and the attendee list (CSV): its organizer or an operator.
  row('POST /api/events/:id/cancel',                      '401 403 403 202 404 403 403 403', freshCancel),
  row('GET /api/events/:id/cancellation',                 '401 403 403 200 404 403 403 200'),
  row('GET /api/events/:id/attendees',                    '401 403 403 200 404 403 403 200'),
  row('POST /api/events/:id/holds',                       '401 201 201 403 403 403 403 403', (w) => ({ path: fill('/api/events/:id/holds', w), body: { typeId: w.event.typeId, quantity: 1 }, headers: { 'idempotency-key': randomUUID() } })),
  row('GET /api/holds/:id',                               '401 200 404 404 404 404 404 200'),
  row('DELETE /api/holds/:id',                            '401 200 404 403 403 403 403 403', async (w) => ({ path: `/api/holds/${await w.freshHold()}` })),
  row('POST /api/holds/:id/confirm',                      '401 403 403 403 403 403 403 200', async (w) => ({ path: `/api/holds/${await w.freshHold()}/confirm` })),
  row('POST /api/holds/:id/checkout',                     '401 201 404 403 403 403 403 403', async (w) => ({ path: `/api/holds/${await w.freshHold()}/checkout`, body: { provider: 'simulated' } })),
  row('GET /api/orders',                                  '401 200 200 200 200 200 200 200'),
  row('GET /api/orders/:id',                              '401 200 404 200 404 404 404 404'),
  row('POST /api/orders/:id/refund',                      '401 202 404 202 404 403 403 403', async (w) => ({ path: `/api/orders/${(await w.freshPaidOrder()).id}/refund` })),
  row('GET /api/orders/:id/tickets',                      '401 200 404 404 404 404 404 404'),
  // The calendar file (#15): its buyer signed in, or anyone holding the email's signed link (it opens that one file only).
  row('GET /api/orders/:id/calendar',                     '401 200 404 404 404 404 404 404'),
  row('GET /api/orders/:id/calendar (email link)',        '200 200 200 200 200 200 200 200', (w) => ({ path: `/api/orders/${w.paid.id}/calendar?token=${calendarToken(w.n.config.tokenSecret, w.paid.id)}` })),
  row('GET /api/orders/:id/calendar (another order\'s link)', '404 404 404 404 404 404 404 404', async (w) => ({ path: `/api/orders/${w.paid.id}/calendar?token=${calendarToken(w.n.config.tokenSecret, (await w.freshPaidOrder()).id)}` })),
  row('POST /api/tickets/:id/reissue',                    '401 200 404 404 404 404 404 404'),
  // Holder names (#15): the buyer names who holds a ticket of their order.
  row('PUT /api/tickets/:id/holder',                      '401 200 404 403 403 403 403 403', (w) => ({ path: fill('/api/tickets/:id/holder', w), body: { name: 'Matrix Holder' } })),
  row('GET /api/events/:id/orders',                       '401 403 403 200 404 403 403 403'),
  row('GET /api/events/:id/payout',                       '401 403 403 200 404 403 403 403'),
  row('GET /api/events/:id/sales',                        '401 403 403 200 404 403 403 403'),
  // Promo codes (#15): the event's organizer only; another organizer's event answers 404. The quote is the hold's buyer's.
  row('GET /api/events/:id/promo-codes',                  '401 403 403 200 404 403 403 403'),
  row('POST /api/events/:id/promo-codes',                 '401 403 403 201 404 403 403 403', (w) => ({ path: fill('/api/events/:id/promo-codes', w), body: { code: freshCode(), percentOff: 10 } })),
  row('POST /api/events/:id/promo-codes/:code/disable',   '401 403 403 200 404 403 403 403', async (w) => ({ path: `/api/events/${w.event.id}/promo-codes/${await promoOf(w)}/disable` })),
  row('GET /api/holds/:id/promo',                         '401 200 404 403 403 403 403 403', async (w) => ({ path: `/api/holds/${w.holdId}/promo?code=${await promoOf(w)}` })),
  row('GET /api/payments/simulated/:session',             '401 200 404 403 403 403 403 403'),
  row('POST /api/payments/simulated/:session',            '401 200 404 403 403 403 403 403', async (w) => ({ path: `/api/payments/simulated/${(await w.freshPendingOrder()).session}`, body: { outcome: 'decline' } })),
  row('POST /api/webhooks/stripe',                        '200 200 200 200 200 200 200 200', stripeIgnored),
  row('GET /api/payments/clictopay/return?orderId=nope',  '404 404 404 404 404 404 404 404'),
  // Konnect's webhook and return name a payment and are asked of Konnect: no caller's token matters, an unknown payment is 404.
  row('GET /api/payments/konnect/webhook?payment_ref=nope', '404 404 404 404 404 404 404 404'),
  row('GET /api/payments/konnect/return?payment=00000000-0000-4000-8000-000000000000', '404 404 404 404 404 404 404 404'),
  row('GET /api/events/:id/keys',                         '200 200 200 200 200 200 200 200'),
  row('GET /api/events/:id/checkin/lists',                '401 404 404 200 404 200 404 403'),
  row('POST /api/events/:id/checkin/lists',               '401 403 403 201 404 403 403 403', (w) => ({ path: fill('/api/events/:id/checkin/lists', w), body: { name: `Gate ${randomUUID()}` } })),
  row('PATCH /api/events/:id/checkin/lists/:listId',      '401 403 403 200 404 403 403 403', (w) => ({ path: fill('/api/events/:id/checkin/lists/:listId', w), body: { name: `Main ${randomUUID()}` } })),
  row('DELETE /api/events/:id/checkin/lists/:listId',     '401 403 403 204 404 403 403 403', async (w) => ({ path: `/api/events/${w.event.id}/checkin/lists/${await w.freshList()}` })),
  row('PATCH /api/events/:id/checkin/lists/:listId (event2\'s list)', '401 403 403 404 404 403 403 403', (w) => ({ path: `/api/events/${w.event.id}/checkin/lists/${w.list2Id}`, body: { name: 'Taken over' } })),
  row('DELETE /api/events/:id/checkin/lists/:listId (event2\'s list)', '401 403 403 404 404 403 403 403', (w) => ({ path: `/api/events/${w.event.id}/checkin/lists/${w.list2Id}` })),
  row('GET /api/events/:id/staff',                        '401 403 403 200 404 403 403 403'),
  // An invite answers 202 whether or not the email has an account (an organizer cannot probe for accounts).
  row('POST /api/events/:id/staff',                       '401 403 403 202 404 403 403 403', (w) => ({ path: fill('/api/events/:id/staff', w), body: { email: `door-${randomUUID()}@matrix.test`, name: 'Door' } })),
  row('POST /api/events/:id/staff (an existing account)', '401 403 403 202 404 403 403 403', async (w) => ({ path: fill('/api/events/:id/staff', w), body: { email: (await w.freshAccount()).email } })),
  row('DELETE /api/events/:id/staff/:staffId',            '401 403 403 204 404 403 403 403', async (w) => ({ path: `/api/events/${w.event.id}/staff/${await w.freshStaff()}` })),
  row('DELETE /api/events/:id/staff/:staffId (an invite)', '401 403 403 204 404 403 403 403', async (w) => ({ path: `/api/events/${w.event.id}/staff/${await w.freshInvite()}` })),
  row('DELETE /api/events/:id/staff/:staffId (staff2)',   '401 403 403 404 404 403 403 403', (w) => ({ path: `/api/events/${w.event.id}/staff/${w.accounts.staff2.id}` })),
  row('GET /api/staff/events',                            '401 200 200 200 200 200 200 403'),
  row('POST /api/checkin',                                '401 404 404 200 404 200 404 403', (w) => ({ path: '/api/checkin', body: { list: w.listId, secret: w.paid.tickets[1]!.secret } })),
  row('POST /api/checkin/sync',                           '401 404 404 200 404 200 404 403', (w) => ({ path: '/api/checkin/sync', body: { list: w.listId, scans: [{ secret: w.paid.tickets[2]!.secret, scannedAt: new Date().toISOString(), gate: 'North', device: 'matrix' }] } })),
  row('GET /api/events/:id/checkin/stats',                '401 404 404 200 404 200 404 403'),
  row('GET /api/events/:id/checkin/conflicts',            '401 404 404 200 404 200 404 403'),
  row('GET /api/events/:id/checkin/lookup?q=Pat',         '401 404 404 200 404 200 404 403'),
  row('GET /api/dev/mail',                                '200 200 200 200 200 200 200 200'),
  row('GET /api/dev/mail (through a proxy)',              '401 403 403 403 403 403 403 200', proxied('/api/dev/mail')),
  row('GET /api/dev/sms',                                 '200 200 200 200 200 200 200 200'),
  row('GET /api/dev/sms (through a proxy)',               '401 403 403 403 403 403 403 200', proxied('/api/dev/sms')),
  row('GET /api/ops/status',                              '401 403 403 403 403 403 403 200'),
  row('GET /api/ops/refunds/manual',                      '401 403 403 403 403 403 403 200'),
  // No manual refund waits in the world: the operator passes the role check and finds none.
  row('POST /api/ops/refunds/manual/:orderId',            '401 403 403 403 403 403 403 404', (w) => ({ path: `/api/ops/refunds/manual/${w.paid.id}`, body: { reference: 'KNT-1' } })),
  row('GET /api/events/:id/queue/settings',               '401 403 403 200 404 403 403 403', drop('/queue/settings')),
  row('PATCH /api/events/:id/queue/settings',             '401 403 403 200 404 403 403 403', (w) => ({ path: `/api/events/${w.drop.id}/queue/settings`, body: { paused: false } })),
  row('GET /api/events/:id/queue/challenge',              '401 200 200 403 403 403 403 403', drop('/queue/challenge')),
  row('POST /api/events/:id/queue',                       '401 200 201 403 403 403 403 403', (w) => ({ path: `/api/events/${w.drop.id}/queue`, body: {} })),
  row('GET /api/events/:id/queue',                        '200 200 200 200 200 200 200 200', drop('/queue')),
  row('GET /api/events/:id/queue/proof',                  '200 200 200 200 200 200 200 200', drop('/queue/proof')),
  row('POST /api/events/:id/admission',                   '401 201 403 403 403 403 403 403', (w) => ({ path: `/api/events/${w.drop.id}/admission`, body: { queueTicket: w.queueTicket } })),
  row('GET /bench/hello',                                 '200 200 200 200 200 200 200 200'),
  row('GET /bench/memory',                                '200 200 200 200 200 200 200 200'),
  // A forced garbage collection stops the world: only the benchmark, on this machine, may ask for one.
  row('GET /bench/memory (through a proxy)',              '403 403 403 403 403 403 403 403', proxied('/bench/memory')),
  // The same routes on a production-mode edge, where their answer differs.
  row('GET /api/dev/mail',                                '404 404 404 404 404 404 404 404', undefined, { production: true }),
  row('GET /api/dev/sms',                                 '404 404 404 404 404 404 404 404', undefined, { production: true }),
  row('GET /metrics',                                     '200 200 200 200 200 200 200 200', undefined, { production: true }),
  row('GET /metrics (through a proxy)',                   '401 403 403 403 403 403 403 200', proxied('/metrics'), { production: true }),
  // With NODE_ENV=production the simulated provider's routes are not mounted (404 to all), and a checkout naming it is refused.
  row('GET /api/payments/simulated/:session',             '404 404 404 404 404 404 404 404', undefined, { production: true }),
  row('POST /api/payments/simulated/:session',            '404 404 404 404 404 404 404 404', async (w) => ({ path: `/api/payments/simulated/${(await w.freshPendingOrder()).session}`, body: { outcome: 'pay' } }), { production: true }),
  row('POST /api/holds/:id/checkout',                     '401 422 404 403 403 403 403 403', async (w) => ({ path: `/api/holds/${await w.freshHold()}/checkout`, body: { provider: 'simulated' } }), { production: true }),
];

/** Mounted routes with no row (add one), and rows naming no mounted route (remove or fix them). */
export function uncovered(mounted: readonly { method: string; pattern: string }[], rows: readonly Row[]): { unlisted: string[]; stale: string[] } {
  const key = (method: string, pattern: string) => `${method.toUpperCase()} ${pattern}`;
  const routes = new Set(mounted.map((m) => key(m.method, m.pattern)));
  const listed = new Set(rows.map((r) => key(r.method, r.pattern)));
  return {
    unlisted: [...routes].filter((k) => !listed.has(k)),
    stale: [...listed].filter((k) => !routes.has(k)),
  };
}
