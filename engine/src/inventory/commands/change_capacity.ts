import { assert } from '../../assert.ts';
import { capacityMax } from '../../constants.ts';
import { availabilityOf, refused, type Handled } from '../apply.ts';
import type { ChangeCapacity, Inventory } from '../types.ts';

export type { ChangeCapacity };

/** An organizer resizes a ticket type; never below what is already sold or held. */
export function changeCapacity(state: Inventory, cmd: ChangeCapacity, _now: number): Handled {
  assert(Number.isSafeInteger(cmd.capacity) && cmd.capacity >= 0 && cmd.capacity <= capacityMax, 'capacity out of range');
  const type = state.types.get(cmd.typeId);
  if (type === undefined) return refused('unknown_ticket_type');
  if (cmd.capacity < type.sold + type.held) {
    return { outcome: { ok: false, reason: 'capacity_below_committed', detail: `${type.sold + type.held} tickets are sold or held` }, entries: [] };
  }
  // The answer shows the type as it will be once the entry is applied.
  const after = availabilityOf(type);
  after.capacity = cmd.capacity;
  after.available = cmd.capacity - type.sold - type.held;
  return {
    outcome: { ok: true, kind: 'capacityChanged', type: after },
    entries: [{ kind: 'capacity_changed', typeId: type.typeId, capacity: cmd.capacity }],
  };
}
