import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokens, tokenCacheMax } from './tokens.ts';

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

  it('keeps its cache bounded, dropping the oldest entry', async () => {
    const tokens = createTokens(secret, 60, Date.now, 2);
    const signed = await Promise.all(['A', 'B', 'C'].map((name) => tokens.sign({ ...claims, name })));
    for (const token of signed) await tokens.verify(token);
    expect(tokens.cached(signed[0]!)).toBeUndefined();
    expect(tokens.cached(signed[1]!)?.name).toBe('B');
    expect(tokens.cached(signed[2]!)?.name).toBe('C');
    expect(tokenCacheMax).toBeGreaterThan(1000);
  });
});
