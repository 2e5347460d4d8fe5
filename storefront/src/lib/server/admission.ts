import type { Cookies } from '@sveltejs/kit';
import type { JoinedView } from '$lib/api';

/** The httpOnly cookie holding a drop's admission token between the queue page and the hold. */
export function admissionCookie(eventId: string): string {
  return `tickr_admission_${eventId.replace(/[^0-9a-f-]/gi, '')}`;
}

type Kept = Omit<JoinedView, 'queue' | 'eventId'>;
/** A queue ticket is kept a day: drops sell out within hours, and a join with proof of work should not be paid twice. */
const keptTicketSeconds = 24 * 3600;

function queueCookie(eventId: string): string {
  return `tickr_queue_${eventId.replace(/[^0-9a-f-]/gi, '')}`;
}

/** The queue ticket of this account for this drop, from an earlier join in this browser. */
export function keptTicket(cookies: Cookies, eventId: string, accountId: string): Kept | null {
  try {
    const kept = JSON.parse(cookies.get(queueCookie(eventId)) ?? 'null') as (Kept & { account: string }) | null;
    if (kept === null || kept.account !== accountId || typeof kept.queueTicket !== 'string') return null;
    return { queueTicketId: kept.queueTicketId, seq: kept.seq, place: kept.place, queueTicket: kept.queueTicket };
  } catch {
    return null;
  }
}

export function keepTicket(cookies: Cookies, eventId: string, accountId: string, joined: JoinedView): void {
  const kept = { account: accountId, queueTicketId: joined.queueTicketId, seq: joined.seq, place: joined.place, queueTicket: joined.queueTicket };
  cookies.set(queueCookie(eventId), JSON.stringify(kept), { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: keptTicketSeconds });
}
