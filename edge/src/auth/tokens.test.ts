import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../engine/src/db/account_versions.ts';
import type { AccountStates } from './account_states.ts';
import { createTokens } from './tokens.ts';
import { tokenCacheMax } from '../../../engine/src/constants.ts';

const secret = new TextEncoder().encode('a'.repeat(40));
const claims = { sub: '7b0c8f0e-8d55-4c43-9a8a-1f0c2b3d4e5f', role: 'participant' as const, name: 'Ada' };

describe('tokens', () => {
  it('verifies what it signed, with subject, role, name and expiry', async () => {
    const tokens = createTokens(secret, 60);
    const token = await tokens.sign(claims);
    const verified = await tokens.verify(token);
    expect(verified).toMatchObject(claims);
    expect(verified!.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('remembers a verified token, so the next request needs no Promise', async () => {
    const tokens = createTokens(secret, 60);
    const token = await tokens.sign(claims);
    expect(tokens.cached(token)).toBeUndefined();
    await tokens.verify(token);
    expect(tokens.cached(token)).toMatchObject(claims);
  });

  it('refuses an expired token, and forgets a cached one at its expiry', async () => {
    let now = Date.now();
    const tokens = createTokens(secret, 60, () => now);
    const token = await tokens.sign(claims);
    expect(await tokens.verify(token)).not.toBeNull();
    now += 61_000;
    expect(tokens.cached(token)).toBeUndefined();
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses a tampered token', async () => {
    const tokens = createTokens(secret, 60);
    const token = await tokens.sign(claims);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.role = 'operator';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await tokens.verify(forged)).toBeNull();
    expect(await tokens.verify(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))).toBeNull();
    expect(await tokens.verify('not.a.token')).toBeNull();
    expect(await tokens.verify('')).toBeNull();
  });

  it('refuses a token signed with another secret', async () => {
    const other = createTokens(new TextEncoder().encode('b'.repeat(40)), 60);
    const tokens = createTokens(secret, 60);
    expect(await tokens.verify(await other.sign(claims))).toBeNull();
  });

  it('refuses a validly signed token with an unknown role', async () => {
    const tokens = createTokens(secret, 60);
    const token = await new SignJWT({ role: 'king', name: 'x' }).setProtectedHeader({ alg: 'HS256' }).setSubject('s').setExpirationTime('1m').sign(secret);
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses alg none, RS256, an expired token and a wrong secret, none of them cached', async () => {
    const tokens = createTokens(secret, 60);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const payload = Buffer.from(JSON.stringify({ ...claims, exp, ver: 1 })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    const rs = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${payload}.${'A'.repeat(342)}`;
    const expired = await createTokens(secret, 60, () => Date.now() - 120_000).sign(claims);
    const foreign = await createTokens(new TextEncoder().encode('b'.repeat(40)), 60).sign(claims);
    for (const token of [none, rs, expired, foreign]) {
      expect(await tokens.verify(token)).toBeNull();
      expect(tokens.cached(token)).toBeUndefined();
    }
  });

  it('keeps its cache bounded, dropping the oldest entry', async () => {
    const tokens = createTokens(secret, 60, Date.now, 2);
    const signed = await Promise.all(['A', 'B', 'C'].map((name) => tokens.sign({ ...claims, name })));
    for (const token of signed) await tokens.verify(token);
    expect(tokens.cached(signed[0]!)).toBeUndefined();
    expect(tokens.cached(signed[1]!)?.name).toBe('B');
    expect(tokens.cached(signed[2]!)?.name).toBe('C');
    expect(tokenCacheMax).toBeGreaterThan(1000);
  });

  describe('checked against the account', () => {
    const sub = claims.sub;
    function accounts(initial: AccountState | null) {
      let state: AccountState | null = initial;
      let fresh = false;
      let loads = 0;
      const states: AccountStates = {
        fresh: () => (fresh ? state : undefined),
        load: async () => { loads += 1; fresh = true; return state; },
        forget: () => { fresh = false; },
        poll: async () => true,
        close: () => {},
      };
      return { states, set: (s: AccountState | null) => { state = s; fresh = false; }, loads: () => loads };
    }
    const live = (over: Partial<AccountState> = {}): AccountState => ({ id: sub, version: 1, passwordVersion: 1, role: 'participant', name: 'Ada', ...over });

    it('loads the state once, then answers from the cache without a Promise', async () => {
      const a = accounts(live());
      const tokens = createTokens(secret, 60, Date.now, 10, a.states);
      const token = await tokens.sign(claims);
      expect(tokens.cached(token)).toBeUndefined();
      expect(await tokens.verify(token)).toMatchObject({ sub, role: 'participant' });
      expect(tokens.cached(token)).toMatchObject({ sub, role: 'participant' });
      expect(a.loads()).toBe(1);
    });

    it("refuses a token whose account is deleted, or whose password changed after it was signed", async () => {
      const a = accounts(live());
      const tokens = createTokens(secret, 60, Date.now, 10, a.states);
      const token = await tokens.sign(claims);
      expect(await tokens.verify(token)).not.toBeNull();
      a.set(live({ version: 2, passwordVersion: 2 }));
      expect(tokens.cached(token)).toBeUndefined();
      expect(await tokens.verify(token)).toBeNull();
      expect(await tokens.verify(await tokens.sign({ ...claims, ver: 2 }))).not.toBeNull();
      a.set(null);
      expect(await tokens.verify(await tokens.sign({ ...claims, ver: 2 }))).toBeNull();
    });

    it("carries the account's role now: a demoted organizer's token is a participant's", async () => {
      const a = accounts(live({ role: 'organizer' }));
      const tokens = createTokens(secret, 60, Date.now, 10, a.states);
      const token = await tokens.sign({ ...claims, role: 'organizer' });
      expect((await tokens.verify(token))?.role).toBe('organizer');
      a.set(live({ version: 2, role: 'participant' }));
      expect((await tokens.verify(token))?.role).toBe('participant');
      expect(tokens.cached(token)?.role).toBe('participant');
    });
  });
});
