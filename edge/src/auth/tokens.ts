import { createSecretKey } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export type Role = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';
export const roles: readonly Role[] = ['participant', 'organizer', 'staff', 'operator', 'admin'];

/** Who a request speaks for, as signed into its access token. */
export type Claims = { sub: string; role: Role; name: string; /** Epoch seconds. */ exp: number };

/** Verified tokens remembered at most this many; a full cache drops its oldest entry. */
export const tokenCacheMax = 50_000;

export type Tokens = {
  sign(claims: { sub: string; role: Role; name: string }): Promise<string>;
  /** Claims of a token verified before and not yet expired, without a Promise: the hot path. */
  cached(token: string): Claims | undefined;
  /** Claims of a valid token, or null for an expired, tampered or foreign one. */
  verify(token: string): Promise<Claims | null>;
};

/**
 * HS256 access tokens. Verifying with jose costs tens of microseconds, too
 * much to pay on every hold, so verified tokens are remembered until their
 * expiry in a bounded Map (insertion order doubles as age order).
 */
export function createTokens(secret: Uint8Array, ttlSeconds: number, now: () => number = Date.now, cacheMax = tokenCacheMax): Tokens {
  const cache = new Map<string, Claims>();
  // Imported once: given raw bytes, jose imports the key again on every verify.
  const key = createSecretKey(secret);
  // A token seen by many requests at once (a client's burst) is verified once.
  const verifying = new Map<string, Promise<Claims | null>>();

  function remember(token: string, claims: Claims): void {
    if (cache.size >= cacheMax) cache.delete(cache.keys().next().value!);
    cache.set(token, claims);
  }

  return {
    async sign({ sub, role, name }) {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ role, name })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
    },

    cached(token) {
      const claims = cache.get(token);
      if (claims === undefined) return undefined;
      if (claims.exp * 1000 <= now()) {
        cache.delete(token);
        return undefined;
      }
      return claims;
    },

    verify(token) {
      const hit = this.cached(token);
      if (hit !== undefined) return Promise.resolve(hit);
      let pending = verifying.get(token);
      if (pending === undefined) {
        pending = verifyUncached(token).finally(() => verifying.delete(token));
        verifying.set(token, pending);
      }
      return pending;
    },
  };

  async function verifyUncached(token: string): Promise<Claims | null> {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], currentDate: new Date(now()) });
      const { sub, role, name, exp } = payload;
      if (typeof sub !== 'string' || typeof name !== 'string' || typeof exp !== 'number') return null;
      if (!roles.includes(role as Role)) return null;
      const claims: Claims = { sub, role: role as Role, name, exp };
      remember(token, claims);
      return claims;
    } catch {
      return null;
    }
  }
}
