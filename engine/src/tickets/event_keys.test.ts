import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { ensureEventPublicKey, eventSigningKey } from './event_keys.ts';
import { deriveServerKey } from './keys.ts';
import { encodeTicketSecret, verifyTicketSecret } from './secret.ts';

let t: TestDatabase;
let eventId: string;
const serverKey = deriveServerKey('a server secret of at least thirty-two bytes!');

beforeAll(async () => {
  t = await freshDatabase();
  const org = await t.db.query(`INSERT INTO accounts (email, password_hash, name, role) VALUES ('o@example.com', 'x', 'O', 'organizer') RETURNING id`);
  await t.db.query('INSERT INTO organizers (account_id, display_name) VALUES ($1, $2)', [org.rows[0].id, 'O']);
  const ev = await t.db.query(
    `INSERT INTO events (organizer_id, name, starts_at, currency, per_buyer_limit, hold_ttl_seconds, shard) VALUES ($1, 'E', now() + interval '1 day', 'EUR', 4, 480, 0) RETURNING id`,
    [org.rows[0].id]);
  eventId = ev.rows[0].id;
});

afterAll(async () => {
  await t?.drop();
});

describe('event keys', () => {
  it('are made once per event, even when asked for at once, and stored sealed', async () => {
    const publicKeys = await Promise.all([1, 2, 3].map(() => ensureEventPublicKey(t.db, eventId, serverKey)));
    expect(new Set(publicKeys).size).toBe(1);
    const stored = (await t.db.query('SELECT public_key, sealed_private_key FROM event_keys WHERE event_id = $1', [eventId])).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0].sealed_private_key).toMatch(/^v1\./);
    expect(stored[0].sealed_private_key).not.toContain('PRIVATE KEY');
    const key = await eventSigningKey(t.db, eventId, serverKey);
    expect(key.publicKey).toBe(publicKeys[0]);
    const secret = encodeTicketSecret({ ticketId: randomUUID(), eventId, typeId: randomUUID(), version: 0 }, key.privateKey);
    expect(verifyTicketSecret(secret, publicKeys[0]!, eventId).ok).toBe(true);
  });

  it('refuses to sign under another server key, saying which secret to use', async () => {
    const other = await t.db.query(`INSERT INTO events (organizer_id, name, starts_at, currency, per_buyer_limit, hold_ttl_seconds, shard)
      SELECT organizer_id, 'F', starts_at, currency, 4, 480, 0 FROM events WHERE id = $1 RETURNING id`, [eventId]);
    await ensureEventPublicKey(t.db, other.rows[0].id, serverKey);
    const wrong = deriveServerKey('another server secret, also thirty-two bytes long');
    await expect(eventSigningKey(t.db, other.rows[0].id, wrong)).rejects.toThrow(/sealed under another TICKR_TICKET_KEY_SECRET/);
  });
});
