import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies an HS256 JWT (compact form) with node:crypto directly. jose's
 * jwtVerify goes through WebCrypto, which normalizes the algorithm and wraps
 * the key again on every call: tens of microseconds on the main thread for
 * each token not yet cached. This does what jose checks for these tokens,
 * and nothing looser:
 *
 * - three segments; the header a JSON object with `alg` exactly "HS256", a
 *   `typ` (when present) of "JWT", and no `crit` or `b64` (extensions this
 *   verifier does not implement, so refused as jose refuses unknown ones);
 * - the signature, HMAC-SHA256 over `header.payload`, compared in constant
 *   time against the canonical base64url encoding (so a signature segment
 *   with extra or non-canonical characters never verifies);
 * - the payload a JSON object whose `iat`, `nbf` and `exp`, when present, are
 *   finite numbers, with `nbf` not in the future and `exp` in the future
 *   (whole seconds, no tolerance, as jose with its defaults).
 *
 * Returns the payload, or null for anything else. Signing stays with jose,
 * so tokens remain standard JWTs.
 */
export function createHs256Verifier(secret: Uint8Array): (token: string, nowMs: number) => Record<string, unknown> | null {
  // Copied once: the caller's array may change after this returns.
  const key = Buffer.from(secret);

  return function verifyHs256(token, nowMs) {
    const first = token.indexOf('.');
    const second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return null;

    const expected = createHmac('sha256', key).update(token.slice(0, second)).digest('base64url');
    // UTF-8, not latin1: latin1 keeps only a character's low byte, so "Ł" (U+0141) would pass for "A".
    const given = Buffer.from(token.slice(second + 1), 'utf8');
    const wanted = Buffer.from(expected, 'utf8');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;

    const header = parseObject(token.slice(0, first));
    if (header === null || header.alg !== 'HS256') return null;
    if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) return null;
    if (header.crit !== undefined || header.b64 !== undefined) return null;

    const payload = parseObject(token.slice(first + 1, second));
    if (payload === null) return null;
    const now = Math.floor(nowMs / 1000);
    const { iat, nbf, exp } = payload;
    if (iat !== undefined && !isNumericDate(iat)) return null;
    if (nbf !== undefined && (!isNumericDate(nbf) || nbf > now)) return null;
    if (exp !== undefined && (!isNumericDate(exp) || exp <= now)) return null;
    return payload;
  };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A base64url segment decoded to a JSON object, or null. */
function parseObject(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
