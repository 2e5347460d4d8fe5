import type { Handled } from '../apply.ts';
import type { JournalBody, Inventory, ReleaseAllHolds } from '../types.ts';

export type { ReleaseAllHolds };

/**
 * The event was cancelled: every open hold goes back at once, journaled as a
 * release like any other, so a restarted actor does not bring them back. The
 * actor's config (cancelled) already refuses new holds and confirmations, so
 * nothing can be held again after this. A hold whose buyer is paying right
 * now ends like a lapsed one: the payment, when it comes, is refunded.
 * Running it again releases nothing more.
 */
export function releaseAllHolds(state: Inventory, _cmd: ReleaseAllHolds, _now: number): Handled {
  const entries: JournalBody[] = [];
  for (const hold of state.holds.values()) entries.push({ kind: 'hold_released', holdId: hold.holdId, reason: 'released' });
  return { outcome: { ok: true, kind: 'releasedAll', count: entries.length }, entries };
}
