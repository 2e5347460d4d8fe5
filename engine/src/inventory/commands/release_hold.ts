import { holdView, refused, type Handled } from '../apply.ts';
import type { Inventory, ReleaseHold } from '../types.ts';

export type { ReleaseHold };

/**
 * Gives a hold's tickets back. `buyer` null means the caller is trusted (an
 * organizer or the system); otherwise only the hold's buyer may release it.
 */
export function releaseHold(state: Inventory, cmd: ReleaseHold, _now: number): Handled {
  const hold = state.holds.get(cmd.holdId);
  if (hold === undefined) return refused('hold_not_found');
  if (cmd.buyer !== null && cmd.buyer !== hold.buyer) return refused('not_hold_owner');
  return {
    outcome: { ok: true, kind: 'released', hold: holdView(state.config, hold, 'released') },
    entries: [{ kind: 'hold_released', holdId: hold.holdId, reason: 'released' }],
  };
}
