import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkTokenTo } from '../../../engine/src/testing/mail.ts';
import { startMailNode, type MailNode } from '../testing/mail_node.ts';
import { addressKey } from './hold_policy.ts';

/**
 * A drop's defences against hoarding (#11), over HTTP: a verified email to
 * hold, and a cap on the stock one address holds at once. Every request of
 * these tests comes from 127.0.0.1, so they all share one address.
 */

let node: MailNode;
let organizer: { token: string; id: string };

const settings = (eventId: string, body: Record<string, unknown>) =>
  node.api.call('PATCH', `/api/events/${eventId}/queue/settings`, { token: organizer.token, body });

beforeAll(async () => {
  node = await startMailNode('hold-policy-test');
  organizer = await node.api.signup('organizer');
});

afterAll(async () => {
  await node?.stop();
});

describe('drop settings for hoarding', () => {
  it('default to any account and no cap, and refuse bad values with a sentence', async () => {
    const event = await node.api.createEvent(organizer.token);
    const read = await node.api.call('GET', `/api/events/${event.id}/queue/settings`, { token: organizer.token });
    expect(read.body).toMatchObject({ holdRequires: 'account', holdsPerAddressMax: null });
    const bad = await settings(event.id, { holdRequires: 'verified_phone' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_body']);
    expect(bad.body.error.message).toContain('holdRequires must be one of "account", "verified_email"');
    const zero = await settings(event.id, { holdsPerAddressMax: 0 });
    expect(zero.body.error.message).toContain('holdsPerAddressMax');
    const set = await settings(event.id, { holdRequires: 'verified_email', holdsPerAddressMax: 6 });
    expect(set.body).toMatchObject({ holdRequires: 'verified_email', holdsPerAddressMax: 6, queueEnabled: false });
    expect((await settings(event.id, { holdsPerAddressMax: null })).body).toMatchObject({ holdRequires: 'verified_email', holdsPerAddressMax: null });
  });
});

describe('holdRequires: verified_email', () => {
  it('refuses an unverified buyer with 403 and admits the same buyer once verified', async () => {
    const event = await node.api.createEvent(organizer.token);
    expect((await settings(event.id, { holdRequires: 'verified_email' })).status).toBe(200);
    const buyer = await node.api.signup('participant', 'unverified');
    const refused = await node.api.hold(buyer.token, event.id, event.typeIds[0]!, 1);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'verification_required']);
    expect(refused.body.error.message).toContain('/api/auth/verify-email/request');

    const email = (await node.api.call('GET', '/api/auth/account', { token: buyer.token })).body.email;
    await node.api.call('POST', '/api/auth/verify-email/request', { token: buyer.token, body: {} });
    expect((await node.api.call('POST', '/api/auth/verify-email', { body: { token: await linkTokenTo(node.t.db, email) } })).status).toBe(200);
    expect((await node.api.hold(buyer.token, event.id, event.typeIds[0]!, 1)).status).toBe(201);
  });

  it('admits a buyer verified elsewhere (another node), by asking the database', async () => {
    const event = await node.api.createEvent(organizer.token);
    await settings(event.id, { holdRequires: 'verified_email' });
    const buyer = await node.api.signup('participant', 'verified-elsewhere');
    await node.t.db.query('UPDATE accounts SET email_verified_at = now() WHERE id = $1', [buyer.id]);
    expect((await node.api.hold(buyer.token, event.id, event.typeIds[0]!, 2)).status).toBe(201);
  });

  it('does not apply to a drop that asks only for an account', async () => {
    const event = await node.api.createEvent(organizer.token);
    const buyer = await node.api.signup('participant', 'plain');
    expect((await node.api.hold(buyer.token, event.id, event.typeIds[0]!, 1)).status).toBe(201);
  });
});

describe('holdsPerAddressMax', () => {
  it('refuses the hold that would pass the cap, whichever accounts share the address, and frees the stock on release', async () => {
    const event = await node.api.createEvent(organizer.token);
    expect((await settings(event.id, { holdsPerAddressMax: 3 })).status).toBe(200);
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => node.api.signup('participant', `sharer-${i}`)));
    const typeId = event.typeIds[0]!;
    const first = await node.api.hold(a!.token, event.id, typeId, 2);
    expect(first.status).toBe(201);
    const over = await node.api.hold(b!.token, event.id, typeId, 2);
    expect([over.status, over.body.error.code]).toEqual([409, 'address_limit_reached']);
    expect((await node.api.hold(b!.token, event.id, typeId, 1)).status).toBe(201);
    expect((await node.api.hold(c!.token, event.id, typeId, 1)).body.error.code).toBe('address_limit_reached');

    expect((await node.api.call('DELETE', `/api/holds/${first.body.holdId}`, { token: a!.token })).status).toBe(200);
    const again = await node.api.hold(c!.token, event.id, typeId, 2);
    expect(again.status).toBe(201);
    // Turning the cap off lets the address hold more at once.
    await settings(event.id, { holdsPerAddressMax: null });
    expect((await node.api.hold(a!.token, event.id, typeId, 4)).status).toBe(201);
  });

  it('is never exceeded when many accounts on one address hold at the same moment', async () => {
    const event = await node.api.createEvent(organizer.token);
    await settings(event.id, { holdsPerAddressMax: 5 });
    const buyers = await Promise.all(Array.from({ length: 12 }, (_, i) => node.api.signup('participant', `crowd-${i}`)));
    const answers = await Promise.all(buyers.map((b) => node.api.hold(b.token, event.id, event.typeIds[0]!, 1)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(5);
    expect(answers.filter((r) => r.status === 409 && r.body.error.code === 'address_limit_reached')).toHaveLength(7);
  });
});

describe('addressKey', () => {
  it('counts IPv4 as is, IPv4-mapped IPv6 as its IPv4, and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('0000:0000:0000:0000:0000:ffff:cb00:7107')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('not an address')).toBe('not an address');
  });
});
