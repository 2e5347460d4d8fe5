import { describe, expect, it } from 'vitest';
import { apply, emptyInventory } from '../apply.ts';
import type { Inventory } from '../types.ts';
import { config, eventId } from './fixture.ts';
import { placeHold } from './place_hold.ts';
import { releaseHold } from './release_hold.ts';

const ids = { newHoldId: () => 'h1', newTicketId: () => 't1' };

function withHold(): Inventory {
  const state = emptyInventory(config);
  for (const body of placeHold(state, { kind: 'placeHold', eventId, typeId: 'floor', qty: 3, buyer: 'ann', key: null }, 0, ids).entries) apply(state, body);
  return state;
}

describe('releaseHold', () => {
  it('gives the tickets back when the buyer releases their hold', () => {
    const state = withHold();
    const { outcome, entries } = releaseHold(state, { kind: 'releaseHold', eventId, holdId: 'h1', buyer: 'ann' }, 10);
    expect(outcome).toMatchObject({ ok: true, kind: 'released', hold: { holdId: 'h1', status: 'released', qty: 3 } });
    expect(entries).toEqual([{ kind: 'hold_released', holdId: 'h1', reason: 'released' }]);
    for (const body of entries) apply(state, body);
    expect(state.types.get('floor')).toMatchObject({ held: 0, sold: 0 });
    expect(state.perBuyer.has('ann')).toBe(false);
    expect(state.holds.size).toBe(0);
  });

  it('lets a trusted caller (no buyer) release any hold', () => {
    expect(releaseHold(withHold(), { kind: 'releaseHold', eventId, holdId: 'h1', buyer: null }, 10).outcome.ok).toBe(true);
  });

  it('refuses to release another buyer\'s hold', () => {
    const state = withHold();
    expect(releaseHold(state, { kind: 'releaseHold', eventId, holdId: 'h1', buyer: 'bob' }, 10)).toEqual({ outcome: { ok: false, reason: 'not_hold_owner' }, entries: [] });
  });

  it('answers hold_not_found for an unknown hold, or one already gone', () => {
    const state = withHold();
    expect(releaseHold(state, { kind: 'releaseHold', eventId, holdId: 'nope', buyer: null }, 10).outcome).toEqual({ ok: false, reason: 'hold_not_found' });
    for (const body of releaseHold(state, { kind: 'releaseHold', eventId, holdId: 'h1', buyer: null }, 10).entries) apply(state, body);
    expect(releaseHold(state, { kind: 'releaseHold', eventId, holdId: 'h1', buyer: 'ann' }, 10).outcome).toEqual({ ok: false, reason: 'hold_not_found' });
  });
});
