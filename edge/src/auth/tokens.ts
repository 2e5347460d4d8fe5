import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { createHs256Verifier } from './hs256.ts';
import type { AccountState } from '../../../engine/src/db/account_versions.ts';
import type { AccountStates } from './account_states.ts';
import { tokenCacheMax } from '../../../engine/src/constants.ts';

export type Role = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';
export const roles: readonly Role[] = ['participant', 'organizer', 'staff', 'operator', 'admin'];

/**
 * Who a request speaks for, as signed into its access token. `ver` is the
 * account's version at signing (1 for tokens older than versions); `role` and
 * `name` are the account's current ones once checked against its state.
 */
export type Claims = { sub: string; role: Role; name: string; /** Epoch seconds. */ exp: number; ver: number };

export type Tokens = {
  /** `ver`: the account's version now (default 1, a new account's). */
  sign(claims: { sub: string; role: Role; name: string; ver?: number }): Promise<string>;
  /** Claims of a token verified before and not yet expired, without a Promise: the hot path. */
  cached(token: string): Claims | undefined;
  /** Claims of a valid token, or null for an expired, tampered or foreign one, or one its account has voided. */
  verify(token: string): Promise<Claims | null>;
};

/**
 * A token's claims as its account stands now: null when the account is gone
 * or its password changed after signing; the current role and name otherwise
 * (a demoted organizer's token is a participant's from then on).
 */
export function applyAccountState(claims: Claims, state: AccountState | null): Claims | null {
  if (state === null || claims.ver < state.passwordVersion) return null;
  if (state.role === claims.role && state.name === claims.name) return claims;
  return { ...claims, role: state.role, name: state.name };
}

/**
 * HS256 access tokens, signed with jose and verified with node:crypto
 * (edge/src/auth/hs256.ts: jose's WebCrypto path cost tens of microseconds a
 * verify). Even that is too much to pay on every hold, so verified tokens are remembered until their
 * expiry in a bounded Map (insertion order doubles as age order). With
 * `accounts`, each token is also checked against its account's state
 * (edge/src/auth/account_states.ts), from a cache on the hot path.
 */
export function createTokens(secret: Uint8Array, ttlSeconds: number, now: () => number = Date.now, cacheMax = tokenCacheMax,
  accounts: AccountStates | null = null): Tokens {
  // Imported once: given raw bytes, jose imports the key again on every sign.
  const key = createSecretKey(secret);
  const { signed, verifyUncached } = createSignatureCache(secret, now, cacheMax);
  // Account loads under way, by token.
  const verifying = new Map<string, Promise<Claims | null>>();

  return {
    async sign({ sub, role, name, ver = 1 }) {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ role, name, ver })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
    },

    cached(token) {
      const claims = signed(token);
      if (claims === undefined || accounts === null) return claims;
      const state = accounts.fresh(claims.sub);
      // Not fresh, or voided: the async path loads the state or answers null.
      if (state === undefined) return undefined;
      return applyAccountState(claims, state) ?? undefined;
    },

    verify(token) {
      const hit = this.cached(token);
      if (hit !== undefined) return Promise.resolve(hit);
      const pending = verifying.get(token);
      if (pending !== undefined) return pending;
      // Verifying the signature is synchronous; only an account state not in
      // the cache needs a Promise that waits for Postgres.
      const claims = signed(token) ?? verifyUncached(token);
      if (claims === null || accounts === null) return Promise.resolve(claims);
      const state = accounts.fresh(claims.sub);
      if (state !== undefined) return Promise.resolve(applyAccountState(claims, state));
      // A token seen by many requests at once (a client's burst) loads its account once.
      const loading = accounts.load(claims.sub)
        .then((loaded) => applyAccountState(claims, loaded))
        .finally(() => verifying.delete(token));
      verifying.set(token, loading);
      return loading;
    },
  };
}

/**
 * Signature checks and the bounded Map of their results (up to `cacheMax`
 * tokens, the oldest dropped first), before any account state.
 */
function createSignatureCache(secret: Uint8Array, now: () => number, cacheMax: number): {
  signed: (token: string) => Claims | undefined;
  verifyUncached: (token: string) => Claims | null;
} {
  const cache = new Map<string, Claims>();
  const verifyHs256 = createHs256Verifier(secret);

  function remember(token: string, claims: Claims): void {
    if (cache.size >= cacheMax) cache.delete(cache.keys().next().value!);
    cache.set(token, claims);
  }

  /** The signed claims of a token verified before and not expired. */
  function signed(token: string): Claims | undefined {
    const claims = cache.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp * 1000 <= now()) {
      cache.delete(token);
      return undefined;
    }
    return claims;
  }

  function verifyUncached(token: string): Claims | null {
    const claims = claimsOf(verifyHs256(token, now()));
    if (claims !== null) remember(token, claims);
    return claims;
  }

  return { signed, verifyUncached };
}

/** The claims of a verified token's payload (null: none), when they have the shape Tickr signs. */
function claimsOf(payload: ReturnType<ReturnType<typeof createHs256Verifier>>): Claims | null {
  if (payload === null) return null;
  const { sub, role, name, exp, ver = 1 } = payload;
  if (typeof sub !== 'string' || typeof name !== 'string' || typeof exp !== 'number' || !Number.isInteger(ver)) return null;
  if (!roles.includes(role as Role)) return null;
  return { sub, role: role as Role, name, exp, ver: ver as number };
}
