import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../assert.ts';
import { apply, emptyInventory } from '../apply.ts';
import type { Inventory } from '../types.ts';
import { config, eventId } from './fixture.ts';
import { changeCapacity } from './change_capacity.ts';
import { placeHold } from './place_hold.ts';


function withThreeHeld(): Inventory {
  const state = emptyInventory(config);
  const ids = { newHoldId: () => 'h1', newTicketId: () => 't1' };
  for (const body of placeHold(state, { kind: 'placeHold', eventId, typeId: 'floor', qty: 3, buyer: 'ann', key: null }, 0, ids).entries) apply(state, body);
  return state;
}

describe('changeCapacity', () => {
  it('resizes a type and answers with its availability after the change', () => {
    const state = withThreeHeld();
    const { outcome, entries } = changeCapacity(state, { kind: 'changeCapacity', eventId, typeId: 'floor', capacity: 20 }, 0);
    expect(outcome).toEqual({ ok: true, kind: 'capacityChanged', type: { typeId: 'floor', capacity: 20, sold: 0, held: 3, available: 17, price: 5_000 } });
    expect(entries).toEqual([{ kind: 'capacity_changed', typeId: 'floor', capacity: 20 }]);
    expect(state.types.get('floor')!.capacity).toBe(10);
    for (const body of entries) apply(state, body);
    expect(state.types.get('floor')!.capacity).toBe(20);
  });

  it('shrinks down to exactly what is sold and held', () => {
    expect(changeCapacity(withThreeHeld(), { kind: 'changeCapacity', eventId, typeId: 'floor', capacity: 3 }, 0).outcome.ok).toBe(true);
  });

  it('refuses to shrink below what is sold and held', () => {
    const { outcome, entries } = changeCapacity(withThreeHeld(), { kind: 'changeCapacity', eventId, typeId: 'floor', capacity: 2 }, 0);
    expect(outcome).toMatchObject({ ok: false, reason: 'capacity_below_committed' });
    expect(entries).toEqual([]);
  });

  it('refuses a ticket type the event does not have', () => {
    expect(changeCapacity(withThreeHeld(), { kind: 'changeCapacity', eventId, typeId: 'vip', capacity: 5 }, 0).outcome).toEqual({ ok: false, reason: 'unknown_ticket_type' });
  });

  it('treats a capacity the edge should have refused as a bug', () => {
    for (const capacity of [-1, 1.5, 10_000_001]) {
      expect(() => changeCapacity(withThreeHeld(), { kind: 'changeCapacity', eventId, typeId: 'floor', capacity }, 0)).toThrow(InvariantError);
    }
  });
});
