import type { Cookies } from '@sveltejs/kit';

/**
 * The holds this browser placed lately (#15), so My tickets can list a hold
 * not checked out yet with its countdown: holds live in the engine's memory
 * and the journal, and no query lists a buyer's holds across events without
 * asking every shard. A hold already checked out is found from its pending
 * order instead, on any device. The cookie names the account, so another
 * account signing in here sees none of them (the edge answers someone else's
 * hold as missing anyway).
 */
const cookieName = 'tickr_holds';
/** A buyer holds a few drops at most at once; older ids have lapsed long before. */
export const recentHoldsMax = 5;
/** The longest hold an organizer may set (engine holdTtlMsMax: 60 minutes). */
const keptSeconds = 60 * 60;
/** A hold id: the event id, a dot, 12 base64url characters (engine/src/inventory/ids.ts). */
const holdIdPattern = /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{12}$/;

export function recentHolds(cookies: Cookies, accountId: string): string[] {
  try {
    const kept = JSON.parse(cookies.get(cookieName) ?? 'null') as { account?: unknown; holds?: unknown } | null;
    if (kept === null || kept.account !== accountId || !Array.isArray(kept.holds)) return [];
    return kept.holds.filter((h): h is string => typeof h === 'string' && isHoldEntry(h)).slice(0, recentHoldsMax);
  } catch {
    return [];
  }
}

/** A hold id, or a basket's hold ids joined by commas (its first hold first), as the hold page's path takes them. */
function isHoldEntry(entry: string): boolean {
  const ids = entry.split(',');
  return ids.length <= basketHoldsMax && ids.every((id) => holdIdPattern.test(id));
}

/** As many holds as an event has ticket types at most (the edge's ticketTypesPerEventMax). */
const basketHoldsMax = 50;

export function rememberHold(cookies: Cookies, accountId: string, holdId: string): void {
  if (!isHoldEntry(holdId)) return;
  const holds = [holdId, ...recentHolds(cookies, accountId).filter((h) => h !== holdId)].slice(0, recentHoldsMax);
  cookies.set(cookieName, JSON.stringify({ account: accountId, holds }), { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: keptSeconds });
}
