import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createHs256Verifier } from './hs256.ts';

const secret = new TextEncoder().encode('a'.repeat(40));
const verify = createHs256Verifier(secret);
const nowMs = Date.UTC(2026, 0, 1);
const now = nowMs / 1000;
const claims = { sub: 's', role: 'participant', name: 'Ada', ver: 1 };

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A token built by hand, signed over its own header and payload with `key`. */
function forge(header: unknown, payload: unknown, key: Uint8Array = secret): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
const sign = (over: { exp?: number; nbf?: number } = {}) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('s').setIssuedAt(now).setExpirationTime(over.exp ?? now + 60);
  if (over.nbf !== undefined) jwt.setNotBefore(over.nbf);
  return jwt.sign(secret);
};

describe('HS256 fast path', () => {
  it('accepts what jose signs, with the payload jose reads', async () => {
    const token = await sign();
    const { payload } = await jwtVerify(token, secret, { currentDate: new Date(nowMs) });
    expect(verify(token, nowMs)).toEqual(payload);
  });

  it('refuses alg none, with or without a signature', () => {
    const payload = { ...claims, exp: now + 60 };
    expect(verify(`${b64({ alg: 'none' })}.${b64(payload)}.`, nowMs)).toBeNull();
    expect(verify(forge({ alg: 'none' }, payload), nowMs)).toBeNull();
  });

  it('refuses RS256 and any other alg, even with a valid HMAC', () => {
    const payload = { ...claims, exp: now + 60 };
    for (const alg of ['RS256', 'HS384', 'hs256', 'ES256']) expect(verify(forge({ alg, typ: 'JWT' }, payload), nowMs)).toBeNull();
    expect(verify(forge({ typ: 'JWT' }, payload), nowMs)).toBeNull();
  });

  it('refuses an altered payload or an altered signature', async () => {
    const token = await sign();
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(verify(`${h}.${b64({ ...payload, role: 'admin' })}.${s}`, nowMs)).toBeNull();
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    expect(verify(`${h}.${p}.${flipped}`, nowMs)).toBeNull();
    // Characters a lenient base64url decoder would skip still make it another signature.
    expect(verify(`${token}=`, nowMs)).toBeNull();
    expect(verify(`${token}!`, nowMs)).toBeNull();
    expect(verify(`${h}.${p}.${s.slice(0, -1)}`, nowMs)).toBeNull();
    expect(verify(`${token}.x`, nowMs)).toBeNull();
    // A character whose low byte is the right one is still another character.
    const wide = String.fromCharCode(0x100 + s.charCodeAt(0));
    expect(verify(`${h}.${p}.${wide}${s.slice(1)}`, nowMs)).toBeNull();
  });

  it('refuses a token signed with another secret', async () => {
    const other = new TextEncoder().encode('b'.repeat(40));
    expect(verify(forge({ alg: 'HS256' }, { ...claims, exp: now + 60 }, other), nowMs)).toBeNull();
    expect(verify(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 60).sign(other), nowMs)).toBeNull();
  });

  it('refuses an expired token, at its expiry second as jose does, and one not yet valid', async () => {
    expect(verify(await sign({ exp: now }), nowMs)).toBeNull();
    expect(verify(await sign({ exp: now - 1 }), nowMs)).toBeNull();
    expect(verify(await sign({ exp: now + 1 }), nowMs)).not.toBeNull();
    expect(verify(await sign({ nbf: now + 1 }), nowMs)).toBeNull();
    expect(verify(await sign({ nbf: now }), nowMs)).not.toBeNull();
  });

  it('refuses time claims that are not finite numbers, a foreign typ, crit or b64, and non-object parts', () => {
    const ok = { ...claims, exp: now + 60 };
    expect(verify(forge({ alg: 'HS256' }, ok), nowMs)).not.toBeNull();
    expect(verify(forge({ alg: 'HS256' }, { ...ok, exp: String(now + 60) }), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256' }, { ...ok, iat: 'yesterday' }), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256' }, { ...ok, nbf: null }), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256', typ: 'at+jwt' }, ok), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256', crit: ['exp'] }, ok), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256', b64: false }, ok), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256' }, [ok]), nowMs)).toBeNull();
    expect(verify(forge({ alg: 'HS256' }, 'not json'), nowMs)).toBeNull();
    expect(verify(forge('HS256', ok), nowMs)).toBeNull();
    expect(verify('', nowMs)).toBeNull();
    expect(verify('not.a.token', nowMs)).toBeNull();
    expect(verify('..', nowMs)).toBeNull();
  });
});
