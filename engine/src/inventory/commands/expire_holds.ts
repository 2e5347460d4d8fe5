import type { Handled } from '../apply.ts';
import type { ExpireHolds, Hold, Inventory } from '../types.ts';

export type { ExpireHolds };

/**
 * Releases every hold whose time is up (`expiresAt <= now`), as `expired`.
 *
 * `due` is the actor's shortcut: the holds its expiry heap says may be due, in
 * expiry order, possibly including holds already gone. Without it the handler
 * scans every hold, which is right but O(holds): fine for tests, not for a drop.
 */
export function expireHolds(state: Inventory, _cmd: ExpireHolds, now: number, due?: Iterable<Hold>): Handled {
  const entries: Handled['entries'] = [];
  for (const hold of due ?? byExpiry(state.holds.values())) {
    if (hold.expiresAt <= now && state.holds.get(hold.holdId) === hold) {
      entries.push({ kind: 'hold_released', holdId: hold.holdId, reason: 'expired' });
    }
  }
  return { outcome: { ok: true, kind: 'expired', count: entries.length }, entries };
}

/** Holds in expiry order, placement order among equals (`sort` is stable). */
function byExpiry(holds: Iterable<Hold>): Hold[] {
  return [...holds].sort((a, b) => a.expiresAt - b.expiresAt);
}
