import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPasswordTokenTtlMs, verifyEmailTokenTtlMs } from '../constants.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { consumeActionToken, createActionToken } from './action_tokens.ts';
import { insertAccount } from './accounts.ts';

describe('action tokens', () => {
  let t: TestDatabase;
  let accountId: string;
  beforeAll(async () => {
    t = await freshDatabase();
    accountId = (await insertAccount(t.db, { email: 'ada@example.com', passwordHash: 'h', name: 'Ada', role: 'participant' }))!.id;
  });
  afterAll(async () => { await t.drop(); });

  it('opens once, for its purpose, and stores only a hash of the token', async () => {
    const token = await createActionToken(t.db, { purpose: 'verify_email', accountId, email: 'ada@example.com' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await t.db.query('SELECT token_hash FROM action_tokens');
    expect(stored.rows.some((r) => (r.token_hash as Buffer).toString('base64url') === token || (r.token_hash as Buffer).toString().includes(token))).toBe(false);
    expect(await consumeActionToken(t.db, token, 'set_password')).toBe('token_invalid');
    expect(await consumeActionToken(t.db, token, 'verify_email')).toEqual({ purpose: 'verify_email', accountId, email: 'ada@example.com' });
    expect(await consumeActionToken(t.db, token, 'verify_email')).toBe('token_used');
  });

  it('opens once when used twice at the same moment', async () => {
    const token = await createActionToken(t.db, { purpose: 'set_password', accountId: null, email: 'new@example.com' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => consumeActionToken(t.db, token, 'set_password')));
    expect(answers.filter((a) => typeof a !== 'string')).toHaveLength(1);
    expect(answers.filter((a) => a === 'token_used')).toHaveLength(7);
  });

  it('refuses a token past its lifetime, and one it never issued', async () => {
    const issuedAt = Date.now();
    const verify = await createActionToken(t.db, { purpose: 'verify_email', accountId, email: 'ada@example.com' }, issuedAt);
    const invite = await createActionToken(t.db, { purpose: 'set_password', accountId: null, email: 'late@example.com' }, issuedAt);
    expect(await consumeActionToken(t.db, verify, 'verify_email', issuedAt + verifyEmailTokenTtlMs)).toBe('token_expired');
    expect(await consumeActionToken(t.db, invite, 'set_password', issuedAt + setPasswordTokenTtlMs + 1)).toBe('token_expired');
    expect(await consumeActionToken(t.db, 'A'.repeat(43), 'verify_email')).toBe('token_invalid');
    expect(await consumeActionToken(t.db, 'not a token', 'verify_email')).toBe('token_invalid');
  });
});
