import type { Cookies } from '@sveltejs/kit';
import type { JoinedView } from '$lib/api';

/** The httpOnly cookie holding a drop's admission token between the queue page and the hold. */
export function admissionCookie(eventId: string): string {
  return `tickr_admission_${eventId.replace(/[^0-9a-f-]/gi, '')}`;
}

/** What the browser keeps of a join; `joinedAt` (epoch ms) is when this account first got this queue ticket here. */
type Kept = Omit<JoinedView, 'queue' | 'eventId'> & { joinedAt: number };
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
    const joinedAt = typeof kept.joinedAt === 'number' && Number.isFinite(kept.joinedAt) ? kept.joinedAt : Date.now();
    return { queueTicketId: kept.queueTicketId, seq: kept.seq, place: kept.place, queueTicket: kept.queueTicket, joinedAt };
  } catch {
    return null;
  }
}

/** Keeps the join; a join again with the same queue ticket (a reload, the draw) keeps the first `joinedAt`. */
export function keepTicket(cookies: Cookies, eventId: string, accountId: string, joined: JoinedView): Kept {
  const earlier = keptTicket(cookies, eventId, accountId);
  const joinedAt = earlier !== null && earlier.queueTicketId === joined.queueTicketId ? earlier.joinedAt : Date.now();
  const kept = { account: accountId, queueTicketId: joined.queueTicketId, seq: joined.seq, place: joined.place, queueTicket: joined.queueTicket, joinedAt };
  cookies.set(queueCookie(eventId), JSON.stringify(kept), { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: keptTicketSeconds });
  return { queueTicketId: kept.queueTicketId, seq: kept.seq, place: kept.place, queueTicket: kept.queueTicket, joinedAt };
}

/** When the admission window of this drop closes (epoch ms), kept beside the httpOnly token so pages can count down. */
export function admissionEndsCookie(eventId: string): string {
  return `${admissionCookie(eventId)}_ends`;
}

export function admissionEndsAt(cookies: Cookies, eventId: string): number | null {
  const value = Number(cookies.get(admissionEndsCookie(eventId)));
  return Number.isFinite(value) && value > 0 ? value : null;
}
