import { describe, expect, it } from 'vitest';
import { apply, checkInvariant, emptyInventory } from '../apply.ts';
import type { Inventory } from '../types.ts';
import { config, eventId } from './fixture.ts';
import { confirmHold } from './confirm_hold.ts';
import { placeHold } from './place_hold.ts';
import { releaseAllHolds } from './release_all_holds.ts';

let n = 0;
const ids = { newHoldId: () => `h${++n}`, newTicketId: () => `t${++n}` };

/** Two open holds (ann 2, bob 1) and one sold ticket (cy). */
function withSales(): Inventory {
  const state = emptyInventory(config);
  for (const [buyer, qty] of [['ann', 2], ['bob', 1], ['cy', 1]] as const) {
    for (const body of placeHold(state, { kind: 'placeHold', eventId, typeId: 'floor', qty, buyer, key: null }, 1_000, ids).entries) apply(state, body);
  }
  const cy = [...state.holds.values()].find((h) => h.buyer === 'cy')!;
  for (const body of confirmHold(state, { kind: 'confirmHold', eventId, holdId: cy.holdId }, 1_000, ids).entries) apply(state, body);
  return state;
}

describe('a cancelled event', () => {
  it('releases every open hold at once; the sold tickets stay for the refunds to give back', () => {
    const state = withSales();
    const { outcome, entries } = releaseAllHolds(state, { kind: 'releaseAllHolds', eventId }, 2_000);
    expect(outcome).toEqual({ ok: true, kind: 'releasedAll', count: 2 });
    expect(entries.every((e) => e.kind === 'hold_released' && e.reason === 'released')).toBe(true);
    for (const body of entries) apply(state, body);
    expect(state.types.get('floor')).toMatchObject({ held: 0, sold: 1 });
    expect([...state.perBuyer]).toEqual([['cy', 1]]);
    checkInvariant(state, true);
    expect(releaseAllHolds(state, { kind: 'releaseAllHolds', eventId }, 3_000)).toEqual({ outcome: { ok: true, kind: 'releasedAll', count: 0 }, entries: [] });
  });

  it('refuses new holds and confirmations', () => {
    const state = withSales();
    const open = [...state.holds.values()][0]!;
    state.config = { ...state.config, cancelled: true };
    expect(placeHold(state, { kind: 'placeHold', eventId, typeId: 'floor', qty: 1, buyer: 'dan', key: null }, 2_000, ids)).toEqual({ outcome: { ok: false, reason: 'event_cancelled' }, entries: [] });
    expect(confirmHold(state, { kind: 'confirmHold', eventId, holdId: open.holdId }, 2_000, ids)).toEqual({ outcome: { ok: false, reason: 'event_cancelled' }, entries: [] });
  });
});
