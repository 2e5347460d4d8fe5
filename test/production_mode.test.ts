import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeDouble, type StripeDouble } from '../engine/src/testing/payments/stripe_double.ts';
import { apiClient } from '../engine/src/testing/api.ts';
import { freshDatabase, type TestDatabase } from '../engine/src/testing/db.ts';
import { refusedNodeProcess, spawnNode, type NodeProcess } from '../engine/src/testing/kit.ts';

/*
 * A real node started with NODE_ENV=production, as the Docker image runs it.
 * Without its secrets it refuses to start and says what to set. With them,
 * every development convenience is gone: the simulated provider (which would
 * hand out real tickets for nothing), its pay routes, the demo accounts, the
 * dev mail outbox; and /metrics answers no stranger.
 */

const secrets = { TICKR_TOKEN_SECRET: randomBytes(32).toString('hex'), TICKR_TICKET_KEY_SECRET: randomBytes(48).toString('base64') };
const operator = { email: 'operator@prod.tickr.test', password: 'operator-password-1' };
const metricsToken = randomBytes(24).toString('hex');

/** An address of this machine that is not loopback, so a request from it reaches the node as a stranger's would. */
function outsideAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

describe('NODE_ENV=production', () => {
  let t: TestDatabase;
  let stripe: StripeDouble;
  let node: NodeProcess;
  const api = apiClient(() => node.url);

  beforeAll(async () => {
    t = await freshDatabase();
    stripe = await startStripeDouble();
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    await stripe?.close();
    await t?.drop();
  });

  // Node processes start slowly on a loaded 2-core machine: these two tests wait for starts, not for Tickr.
  it('refuses to start without its secrets, with a sentence saying what to set', { timeout: 180_000 }, async () => {
    const refused = await refusedNodeProcess({ dbUrl: t.url, startTimeoutMs: 80_000, env: { NODE_ENV: 'production', TICKR_TOKEN_SECRET: '', TICKR_TICKET_KEY_SECRET: '' } });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/configuration: NODE_ENV=production needs TICKR_TOKEN_SECRET and TICKR_TICKET_KEY_SECRET: set each to 32\+ random characters/);
    const half = await refusedNodeProcess({ dbUrl: t.url, startTimeoutMs: 80_000, env: { NODE_ENV: 'production', TICKR_TOKEN_SECRET: secrets.TICKR_TOKEN_SECRET, TICKR_TICKET_KEY_SECRET: '' } });
    expect(half.code).toBe(1);
    expect(half.output).toMatch(/needs TICKR_TICKET_KEY_SECRET: set it/);
  });

  it('starts with them, with Stripe, and without any development convenience', { timeout: 180_000 }, async () => {
    node = await spawnNode({
      dbUrl: t.url,
      startTimeoutMs: 150_000,
      env: {
        NODE_ENV: 'production', ...secrets,
        // Listening on every address, as in a container, so a request from another address of this machine is a stranger's.
        HOST: '0.0.0.0',
        // The default, not the harness's 0: production must seed no demo on its own.
        TICKR_SEED_DEMO: '',
        TICKR_OPERATOR_EMAIL: operator.email, TICKR_OPERATOR_PASSWORD: operator.password,
        TICKR_METRICS_TOKEN: metricsToken,
        STRIPE_SECRET_KEY: 'sk_test_tickr', STRIPE_WEBHOOK_SECRET: 'whsec_tickr_test_secret', STRIPE_API_URL: stripe.url,
      },
    });
    expect(node.output()).toMatch(/payments\s+stripe\n/);
    expect(node.output()).toMatch(/mode\s+production/);
  });

  it('has no simulated provider: checkout with it (or by default) is 422 provider_unavailable, and its pay routes are 404', async () => {
    const [organizer, buyer] = [await api.signup('organizer', 'org'), await api.signup('participant', 'buyer')];
    const event = await api.createEvent(organizer.token, { ticketTypes: [{ name: 'GA', price: 9_900, capacity: 10 }] });
    const hold = await api.hold(buyer.token, event.id, event.typeIds[0]!, 2);
    expect(hold.status).toBe(201);
    for (const body of [{ provider: 'simulated' }, {}]) {
      const refused = await api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('provider_unavailable');
      expect(refused.body.error.message).toMatch(/use stripe/);
    }
    expect((await t.db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(0);
    const session = `sim_${'0'.repeat(32)}`;
    expect((await api.call('GET', `/api/payments/simulated/${session}`, { token: buyer.token })).status).toBe(404);
    expect((await api.call('POST', `/api/payments/simulated/${session}`, { token: buyer.token, body: { outcome: 'pay' } })).status).toBe(404);
    // The configured provider still sells.
    const stripeCheckout = await api.call('POST', `/api/holds/${hold.body.holdId}/checkout`, { token: buyer.token, body: { provider: 'stripe' } });
    expect(stripeCheckout.status).toBe(201);
    expect(stripeCheckout.body.payment.clientSecret).toEqual(expect.any(String));
  });

  it('seeds no demo accounts', async () => {
    expect((await t.db.query(`SELECT count(*)::int AS n FROM accounts WHERE email LIKE '%@demo.tickr.test'`)).rows[0].n).toBe(0);
    expect((await api.call('POST', '/api/auth/signin', { body: { email: 'buyer@demo.tickr.test', password: 'demo-buyer-1234' } })).status).toBe(401);
    expect(node.output()).not.toMatch(/demo drop/);
  });

  it('serves no dev mail, not even to an operator on this machine', async () => {
    const op = (await api.call('POST', '/api/auth/signin', { body: operator })).body.token as string;
    expect((await api.call('GET', '/api/dev/mail')).status).toBe(404);
    expect((await api.call('GET', '/api/dev/mail', { token: op })).status).toBe(404);
  });

  it('without SNS offers no SMS, says so at start-up, and serves no dev SMS outbox', async () => {
    expect(node.output()).toMatch(/sms\s+off: TICKR_SNS_REGION is not set/);
    expect(node.output()).toMatch(/SMS are off: TICKR_SNS_REGION is not set/);
    const op = (await api.call('POST', '/api/auth/signin', { body: operator })).body.token as string;
    expect((await api.call('GET', '/api/dev/sms')).status).toBe(404);
    expect((await api.call('GET', '/api/dev/sms', { token: op })).status).toBe(404);
    const body = { email: `sms-${randomBytes(4).toString('hex')}@prod.tickr.test`, password: 'correct horse battery', name: 'S', role: 'participant', phone: '20 123 456', notify: 'sms' };
    const refused = await api.call('POST', '/api/auth/signup', { body });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('sms_unavailable');
    const emailOnly = await api.call('POST', '/api/auth/signup', { body: { ...body, notify: 'email' } });
    expect(emailOnly.status).toBe(201);
    expect((await api.call('GET', '/api/auth/account', { token: emailOnly.body.token })).body).toMatchObject({ phone: '+21620123456', notify: 'email', smsAvailable: false });
  });

  it('closes /metrics to a stranger, and opens it to the scraper\'s token, an operator and this machine', async () => {
    const proxied = await api.call('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(401);
    expect(proxied.body.error.message).toMatch(/TICKR_METRICS_TOKEN/);
    expect((await api.call('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${'x'.repeat(48)}` } })).status).toBe(401);
    const outside = outsideAddress();
    if (outside !== null) {
      const stranger = apiClient(() => `http://${outside}:${node.port}`);
      expect((await stranger.call('GET', '/metrics')).status).toBe(401);
      const scraped = await stranger.call('GET', '/metrics', { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(scraped.status).toBe(200);
      expect(scraped.body).toMatch(/^# (HELP|TYPE) tickr_/m);
    }
    const op = (await api.call('POST', '/api/auth/signin', { body: operator })).body.token as string;
    expect((await api.call('GET', '/metrics', { token: op, headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
    expect((await api.call('GET', '/metrics')).status).toBe(200);
  });
});
