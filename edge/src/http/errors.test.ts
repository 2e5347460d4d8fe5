import { describe, expect, it } from 'vitest';
import type { Reason } from '../../../engine/src/inventory/types.ts';
import pg from 'pg';
import { HttpError, databaseUnreachable, errorBody, isDatabaseUnreachable, outcomeToHttp } from './errors.ts';

describe('outcomeToHttp', () => {
  const cases: [Reason, number][] = [
    ['sold_out', 409], ['limit_reached', 409], ['hold_expired', 410], ['hold_not_found', 404], ['event_not_found', 404],
    ['not_hold_owner', 404], ['sale_not_started', 403], ['sale_ended', 403], ['unknown_ticket_type', 422],
    ['capacity_below_committed', 409], ['idempotency_key_reused', 422], ['busy', 503], ['shard_unavailable', 503], ['event_cancelled', 410],
  ];
  it.each(cases)('maps %s to %i with a message that says what to do', (reason, status) => {
    const error = outcomeToHttp({ ok: false, reason });
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(status);
    expect(error.message.length).toBeGreaterThan(20);
  });

  it('asks busy and shard_unavailable callers to retry in a second', () => {
    expect(outcomeToHttp({ ok: false, reason: 'busy' }).headers).toEqual({ 'retry-after': '1' });
    expect(outcomeToHttp({ ok: false, reason: 'shard_unavailable' }).headers).toEqual({ 'retry-after': '1' });
    expect(outcomeToHttp({ ok: false, reason: 'sold_out' }).headers).toBeUndefined();
  });

  it('answers someone else\'s hold exactly like a missing one', () => {
    const foreign = outcomeToHttp({ ok: false, reason: 'not_hold_owner', detail: 'buyer x' });
    const missing = outcomeToHttp({ ok: false, reason: 'hold_not_found' });
    expect([foreign.status, foreign.code, foreign.message, foreign.extra]).toEqual([missing.status, missing.code, missing.message, missing.extra]);
  });

  it('keeps an unknown reason an answer, not a 500', () => {
    const error = outcomeToHttp({ ok: false, reason: 'brand_new' as Reason });
    expect(error.status).toBe(409);
    expect(error.code).toBe('brand_new');
  });

  it('builds the one error shape', () => {
    expect(errorBody('sold_out', 'm', { detail: 'd' })).toEqual({ error: { code: 'sold_out', message: 'm', detail: 'd' } });
  });
});

describe('isDatabaseUnreachable', () => {
  const sys = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code} 10.0.0.3:5432`), { code, syscall });

  it('knows a real refused connection from node-postgres', async () => {
    // Port 1 on loopback: nothing listens, the kernel refuses at once.
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMillis: 2_000 });
    const error = await client.connect().then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it('takes socket, pool, timeout and SQLSTATE errors of a lost link, also wrapped', () => {
    expect(isDatabaseUnreachable(sys('EINVAL', 'connect'))).toBe(true);
    expect(isDatabaseUnreachable(sys('EHOSTUNREACH', 'connect'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Query read timeout'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error('the database system is shutting down'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseUnreachable(new Error('loading the hold failed', { cause: sys('ECONNRESET', 'read') }))).toBe(true);
    expect(isDatabaseUnreachable(new AggregateError([sys('ECONNREFUSED', 'connect')], 'connect failed'))).toBe(true);
  });

  it('leaves bugs and bad SQL a 500', () => {
    expect(isDatabaseUnreachable(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnreachable(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnreachable(Object.assign(new Error('invalid argument'), { code: 'EINVAL', syscall: 'write' }))).toBe(false);
    expect(isDatabaseUnreachable(null)).toBe(false);
    expect(isDatabaseUnreachable('ECONNREFUSED')).toBe(false);
  });

  it('answers 503 unavailable with Retry-After', () => {
    const error = databaseUnreachable();
    expect([error.status, error.code, error.headers]).toEqual([503, 'unavailable', { 'retry-after': '1' }]);
  });
});
