import { describe, expect, it } from 'vitest';
import { apply, checkInvariant, emptyInventory } from '../apply.ts';
import type { Inventory } from '../types.ts';
import { config, eventId } from './fixture.ts';
import { confirmHold } from './confirm_hold.ts';
import { placeHold } from './place_hold.ts';

let n = 0;
const ids = { newHoldId: () => 'h1', newTicketId: () => `t${++n}` };

function withHold(): Inventory {
  const state = emptyInventory(config);
  for (const body of placeHold(state, { kind: 'placeHold', eventId, typeId: 'floor', qty: 2, buyer: 'ann', key: null }, 1_000, ids).entries) apply(state, body);
  return state;
}

describe('confirmHold', () => {
  it('turns a live hold into one ticket per seat, moving them from held to sold', () => {
    const state = withHold();
    const { outcome, entries } = confirmHold(state, { kind: 'confirmHold', eventId, holdId: 'h1' }, 60_999, ids);
    expect(outcome).toMatchObject({ ok: true, kind: 'confirmed', hold: { holdId: 'h1', status: 'confirmed' } });
    const ticketIds = outcome.ok && outcome.kind === 'confirmed' ? outcome.ticketIds : [];
    expect(ticketIds).toHaveLength(2);
    expect(new Set(ticketIds).size).toBe(2);
    expect(entries).toEqual([{ kind: 'hold_confirmed', holdId: 'h1', ticketIds }]);
    for (const body of entries) apply(state, body);
    expect(state.types.get('floor')).toMatchObject({ held: 0, sold: 2 });
    expect(state.perBuyer.get('ann')).toBe(2);
    checkInvariant(state, true);
  });

  it('makes random UUID ticket ids when no id source is given', () => {
    const { outcome } = confirmHold(withHold(), { kind: 'confirmHold', eventId, holdId: 'h1' }, 2_000);
    const ticketIds = outcome.ok && outcome.kind === 'confirmed' ? outcome.ticketIds : [];
    for (const id of ticketIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a hold past its expiry and expires it in the same step', () => {
    const state = withHold();
    const { outcome, entries } = confirmHold(state, { kind: 'confirmHold', eventId, holdId: 'h1' }, 61_000, ids);
    expect(outcome).toEqual({ ok: false, reason: 'hold_expired' });
    expect(entries).toEqual([{ kind: 'hold_released', holdId: 'h1', reason: 'expired' }]);
    for (const body of entries) apply(state, body);
    expect(state.types.get('floor')).toMatchObject({ held: 0, sold: 0 });
    expect(state.perBuyer.has('ann')).toBe(false);
  });

  it('answers hold_not_found for an unknown hold', () => {
    expect(confirmHold(withHold(), { kind: 'confirmHold', eventId, holdId: 'h2' }, 2_000, ids)).toEqual({ outcome: { ok: false, reason: 'hold_not_found' }, entries: [] });
  });
});
