import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Each event has its own Ed25519 key pair: scanners hold the public key and
 * tell a forged ticket offline; the private key signs ticket secrets and is
 * stored only sealed under the server key (AES-256-GCM), so a copy of the
 * database alone cannot mint tickets.
 */

/** A sealed key reads `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
const sealFormat = 'v1';
const ivBytes = 12;
const tagBytes = 16;
/** The server secret comes from the environment; HKDF needs it high-entropy, not a passphrase. */
export const serverSecretBytesMin = 32;
/** Binds the derived key to this one use, so the same secret can key other things safely. */
const hkdfInfo = 'tickr/ticket-keys/v1';

/** Thrown when a sealed key cannot be opened: wrong server key, tampering, or not a sealed key. */
export class SealedKeyError extends Error {
  override name = 'SealedKeyError';
}

export type EventKeyPair = {
  /** PKCS#8 PEM; seal it before it is stored. */
  privateKeyPem: string;
  /** The raw 32-byte public key, base64url: what `GET /api/events/:id/keys` publishes to scanners. */
  publicKeyRaw: string;
};

export function generateEventKeyPair(): EventKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyRaw: exportPublicKeyRaw(publicKey),
  };
}

/** The raw 32 bytes of an Ed25519 public key, base64url (the JWK `x`). */
export function exportPublicKeyRaw(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new TypeError('public key must be an Ed25519 key');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new TypeError('public key must export its raw bytes');
  return x;
}

/** Throws a TypeError when `raw` is not 32 bytes of base64url. */
export function importPublicKeyRaw(raw: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw) || Buffer.from(raw, 'base64url').length !== 32) {
    throw new TypeError('public key must be 32 bytes, base64url (43 characters)');
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
}

export function importPrivateKeyPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('private key must be an Ed25519 key');
  return key;
}

/**
 * The 32-byte AES key from the environment's secret (e.g. TICKET_KEY_SECRET),
 * by HKDF-SHA256. Refuses a short secret: generate one with
 * `openssl rand -base64 48`.
 */
export function deriveServerKey(secret: string | Buffer): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (bytes.length < serverSecretBytesMin) {
    throw new RangeError(`server key secret must be at least ${serverSecretBytesMin} bytes (generate one with openssl rand -base64 48)`);
  }
  return Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), hkdfInfo, 32));
}

export function sealPrivateKey(pem: string, serverKey: Buffer): string {
  assertServerKey(serverKey);
  importPrivateKeyPem(pem);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', serverKey, iv);
  // The format tag is authenticated too, so a blob cannot be relabelled as another version.
  cipher.setAAD(Buffer.from(sealFormat));
  const ciphertext = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [sealFormat, iv, tag, ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** The PEM back; throws SealedKeyError for a wrong server key or a tampered or malformed blob. */
export function openPrivateKey(sealed: string, serverKey: Buffer): string {
  assertServerKey(serverKey);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== sealFormat || !parts.slice(1).every((p) => /^[A-Za-z0-9_-]+$/.test(p))) {
    throw new SealedKeyError(`sealed private key must read ${sealFormat}.<iv>.<tag>.<ciphertext> in base64url`);
  }
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (iv.length !== ivBytes || tag.length !== tagBytes) throw new SealedKeyError('sealed private key has a wrong-sized iv or tag');
  const decipher = createDecipheriv('aes-256-gcm', serverKey, iv, { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(sealFormat));
  decipher.setAuthTag(tag);
  let pem: string;
  try {
    pem = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedKeyError('sealed private key does not open: wrong server key, or the blob was altered');
  }
  return pem;
}

function assertServerKey(serverKey: Buffer): void {
  if (!Buffer.isBuffer(serverKey) || serverKey.length !== 32) throw new TypeError('server key must be 32 bytes (use deriveServerKey)');
}
