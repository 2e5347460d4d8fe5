import { describe, expect, it } from 'vitest';
import { apply, emptyInventory } from '../apply.ts';
import type { EventConfig, Hold, Inventory } from '../types.ts';
import { expireHolds } from './expire_holds.ts';
import { placeHold } from './place_hold.ts';

const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const config: EventConfig = {
  eventId,
  shard: 0,
  currency: 'EUR',
  perBuyerLimit: 10,
  holdTtlMs: 1_000,
  saleStartsAt: null,
  saleEndsAt: null,
  types: [{ typeId: 'floor', price: 5_000, capacity: 10 }],
};
const cmd = { kind: 'expireHolds', eventId } as const;

/** Holds placed at the given times, named h<time>. */
function withHoldsPlacedAt(...times: number[]): Inventory {
  const state = emptyInventory(config);
  for (const at of times) {
    const ids = { newHoldId: () => `h${at}`, newTicketId: () => 't' };
    for (const body of placeHold(state, { kind: 'placeHold', eventId, typeId: 'floor', qty: 1, buyer: `b${at}`, key: null }, at, ids).entries) apply(state, body);
  }
  return state;
}

describe('expireHolds', () => {
  it('releases, earliest first, every hold whose expiresAt is at or before now', () => {
    const state = withHoldsPlacedAt(300, 100, 200, 500);
    const { outcome, entries } = expireHolds(state, cmd, 1_300);
    expect(outcome).toEqual({ ok: true, kind: 'expired', count: 3 });
    expect(entries).toEqual(['h100', 'h200', 'h300'].map((holdId) => ({ kind: 'hold_released', holdId, reason: 'expired' })));
    for (const body of entries) apply(state, body);
    expect([...state.holds.keys()]).toEqual(['h500']);
    expect(state.types.get('floor')!.held).toBe(1);
  });

  it('expires nothing when nothing is due', () => {
    expect(expireHolds(withHoldsPlacedAt(100), cmd, 1_099)).toEqual({ outcome: { ok: true, kind: 'expired', count: 0 }, entries: [] });
  });

  it('takes the due holds it is given and skips those already gone or not due', () => {
    const state = withHoldsPlacedAt(100, 200);
    const gone: Hold = { ...state.holds.get('h100')!, holdId: 'h-gone' };
    const due = [gone, state.holds.get('h100')!, state.holds.get('h200')!];
    expect(expireHolds(state, cmd, 1_100, due).entries).toEqual([{ kind: 'hold_released', holdId: 'h100', reason: 'expired' }]);
  });
});
