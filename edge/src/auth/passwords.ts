import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt parameters for new hashes. N = 2^15 costs 32 MiB and tens of
 * milliseconds per hash on a server core: slow for a guesser, bearable for a sign-in. Stored hashes carry their own
 * parameters, so raising these later keeps old hashes verifiable.
 */
const N = 1 << 15;
const r = 8;
const p = 1;
const keyBytes = 32;
const saltBytes = 16;
/** Room for N up to 2^16 with r = 8 (128 * N * r bytes), and no more. */
const maxmem = 128 * (1 << 16) * 8 + 1024 * 1024;

function derive(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keylen, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$saltB64$hashB64` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, keyBytes, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const stored = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** True when `password` matches `hash`; false for a wrong password or a hash we cannot read. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = stored.exec(hash);
  if (m === null) return false;
  const [cost, blockSize, parallel] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length === 0 || 128 * cost * blockSize > maxmem) return false;
  const actual = await derive(password, salt, expected.length, { N: cost, r: blockSize, p: parallel });
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * Burns the time of one verification when the email is unknown, so a wrong
 * email and a wrong password take about as long (no account enumeration).
 */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hashPassword('tickr-dummy-password');
  await verifyPassword(password, await dummy);
  return false;
}
