import type { KeyObject } from 'node:crypto';
import type { SqlExecutor } from '../jobs/queues.ts';
import { eventKeysCachedMax } from '../constants.ts';
import { generateEventKeyPair, importPrivateKeyPem, importPublicKeyRaw, openPrivateKey, SealedKeyError, sealPrivateKey } from './keys.ts';

/**
 * An event's key pair, made the first time the event needs one (its first
 * tickets) and stored with the private key sealed under the server key.
 * Opened keys are cached in this process: opening is an AES-GCM decrypt and
 * a PEM parse, which the issue job would otherwise pay per order.
 */
export type EventSigningKey = { eventId: string; publicKey: string; privateKey: KeyObject };

const opened = new Map<string, EventSigningKey>();
const publicKeys = new Map<string, KeyObject>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= eventKeysCachedMax) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

type KeyRow = { public_key: string; sealed_private_key: string };

/** The stored pair, creating it if the event has none. Safe against two callers creating at once: the first insert wins. */
async function ensureKeyRow(db: SqlExecutor, eventId: string, serverKey: Buffer): Promise<KeyRow> {
  const select = 'SELECT public_key, sealed_private_key FROM event_keys WHERE event_id = $1';
  const row = (await db.query(select, [eventId])).rows[0] as KeyRow | undefined;
  if (row !== undefined) return row;
  const pair = generateEventKeyPair();
  await db.query(
    'INSERT INTO event_keys (event_id, public_key, sealed_private_key) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
    [eventId, pair.publicKeyRaw, sealPrivateKey(pair.privateKeyPem, serverKey)],
  );
  return (await db.query(select, [eventId])).rows[0] as KeyRow;
}

/** The event's signing key, creating the pair if the event has none. */
export async function eventSigningKey(db: SqlExecutor, eventId: string, serverKey: Buffer): Promise<EventSigningKey> {
  const cached = opened.get(eventId);
  if (cached !== undefined) return cached;
  const row = await ensureKeyRow(db, eventId, serverKey);
  let pem: string;
  try {
    pem = openPrivateKey(row.sealed_private_key, serverKey);
  } catch (error) {
    if (!(error instanceof SealedKeyError)) throw error;
    throw new SealedKeyError(`the ticket key of event ${eventId} was sealed under another TICKR_TICKET_KEY_SECRET; start with the secret it was created with`);
  }
  return remember(opened, eventId, { eventId, publicKey: row.public_key, privateKey: importPrivateKeyPem(pem) });
}

/** The event's public key (base64url), creating the pair if needed; never opens the private key. */
export async function ensureEventPublicKey(db: SqlExecutor, eventId: string, serverKey: Buffer): Promise<string> {
  return (await ensureKeyRow(db, eventId, serverKey)).public_key;
}

/** The raw public key (base64url), or null when the event has issued no ticket yet. */
export async function selectEventPublicKey(db: SqlExecutor, eventId: string): Promise<string | null> {
  const row = (await db.query('SELECT public_key FROM event_keys WHERE event_id = $1', [eventId])).rows[0] as { public_key: string } | undefined;
  return row?.public_key ?? null;
}

/** The imported public key for verification, cached. */
export async function eventVerifyKey(db: SqlExecutor, eventId: string): Promise<KeyObject | null> {
  const cached = publicKeys.get(eventId);
  if (cached !== undefined) return cached;
  const raw = await selectEventPublicKey(db, eventId);
  return raw === null ? null : remember(publicKeys, eventId, importPublicKeyRaw(raw));
}
