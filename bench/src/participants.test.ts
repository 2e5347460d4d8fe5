import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { verifyPassword } from '../../edge/src/auth/passwords.ts';
import { freshDatabase, type TestDatabase } from '../../engine/src/testing/db.ts';
import { disabledPasswordHash, nodeTokens, ParticipantPool } from './participants.ts';

describe('ParticipantPool', () => {
  let t: TestDatabase;
  const tokenSecret = randomBytes(32).toString('base64url');
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('inserts participants in bulk, never twice the same, with tokens the node would accept', async () => {
    const pool = new ParticipantPool({ databaseUrl: t.url, tokenSecret }, 'tag1');
    const first = await pool.take(3);
    const second = await pool.take(2);
    expect(await pool.take(0)).toEqual([]);
    expect(pool.size).toBe(5);

    const { rows } = await t.db.query<{ id: string; email: string; name: string; role: string; password_hash: string }>(
      'SELECT id::text AS id, email, name, role, password_hash FROM accounts ORDER BY email',
    );
    expect(rows.map((r) => r.email)).toEqual([1, 2, 3, 4, 5].map((n) => `p${n}-tag1@bench.tickr.test`));
    expect(new Set(rows.map((r) => r.role))).toEqual(new Set(['participant']));
    expect(new Set(rows.map((r) => r.password_hash))).toEqual(new Set([disabledPasswordHash]));

    const node = nodeTokens(tokenSecret);
    const claims = await Promise.all([...first, ...second].map((token) => node.verify(token)));
    expect(claims.every((c) => c !== null && c.role === 'participant')).toBe(true);
    const byId = new Map(rows.map((r) => [r.id, r.name]));
    for (const c of claims) expect(byId.get(c!.sub)).toBe(c!.name);
    expect(new Set(claims.map((c) => c!.sub)).size).toBe(5);

    // Another secret (another node) refuses them.
    expect(await nodeTokens(randomBytes(32).toString('base64url')).verify(first[0]!)).toBeNull();
  });

  it('stores a password hash that verifies no password', async () => {
    expect(await verifyPassword('', disabledPasswordHash)).toBe(false);
    expect(await verifyPassword('disabled', disabledPasswordHash)).toBe(false);
  });
});
