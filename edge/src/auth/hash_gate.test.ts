import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.ts';
import { createHashGate } from './hash_gate.ts';

function held() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => { release = resolve; });
  return { work: () => done, release };
}

describe('hash gate', () => {
  it('runs at most inFlightMax at once and refuses past the waiting line with 503 busy and Retry-After', async () => {
    const gate = createHashGate({ inFlightMax: 1, waitersMax: 1 });
    const first = held();
    const running = gate.run('hash', first.work);
    const waiting = gate.run('hash', async () => 'second');
    expect(gate.running()).toBe(1);
    expect(gate.waiting()).toBe(1);
    const refused = await gate.run('hash', async () => 'third').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, code: 'busy', headers: { 'retry-after': '1' } });
    first.release();
    await running;
    expect(await waiting).toBe('second');
    expect(gate.running()).toBe(0);
  });

  it('lets sign-ins go before waiting sign-ups, each kind with its own line', async () => {
    const gate = createHashGate({ inFlightMax: 1, waitersMax: 1 });
    const first = held();
    const running = gate.run('hash', first.work);
    const order: string[] = [];
    const signup = gate.run('hash', async () => { order.push('signup'); });
    // The sign-up line is full, the sign-in line is not.
    const signin = gate.run('verify', async () => { order.push('signin'); });
    first.release();
    await Promise.all([running, signup, signin]);
    expect(order).toEqual(['signin', 'signup']);
  });

  it('frees its slot when the work fails', async () => {
    const gate = createHashGate({ inFlightMax: 1, waitersMax: 0 });
    await expect(gate.run('hash', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await gate.run('hash', async () => 'ok')).toBe('ok');
  });
});
