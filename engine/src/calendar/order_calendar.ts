import { calendarEventDurationDefaultMs } from '../constants.ts';
import { normalizeLocale, type Locale } from '../mail/templates.ts';
import { ticketsUrl } from '../mail/links.ts';
import { orderNumber } from '../orders/receipt.ts';
import { calendarFile } from './ics.ts';

export type CalendarEventFacts = { name: string; venue: string; address: string; startsAt: Date; endsAt: Date | null };

const describe: Record<Locale, (number: string) => string> = {
  en: (n) => `Tickr order ${n}. Your tickets with their QR codes:`,
  fr: (n) => `Commande Tickr ${n}. Vos billets et leurs QR codes :`,
  ar: (n) => `طلب Tickr ${n}. تذاكرك ورموز QR الخاصة بها:`,
};

/** LOCATION: the venue and its street address, whichever the organizer gave. */
export function locationOf(event: Pick<CalendarEventFacts, 'venue' | 'address'>): string {
  return [event.venue.trim(), event.address.trim()].filter((s) => s !== '').join(', ');
}

/**
 * An order's event as an .ics file (#15). The UID names the order, so the
 * file of one order downloaded twice updates one calendar entry. An event
 * without an end lasts `calendarEventDurationDefaultMs`.
 */
export function orderCalendarFile(publicUrl: string, order: { id: string; locale: string }, event: CalendarEventFacts, now: Date): string {
  const url = ticketsUrl(publicUrl, order.id);
  const end = event.endsAt !== null && event.endsAt.getTime() >= event.startsAt.getTime()
    ? event.endsAt
    : new Date(event.startsAt.getTime() + calendarEventDurationDefaultMs);
  let host = 'tickr';
  try {
    host = new URL(publicUrl).host || host;
  } catch {
    // A public URL that is not a URL is refused at start (config.ts); the UID still needs a right-hand side.
  }
  return calendarFile({
    uid: `order-${order.id}@${host}`,
    stamp: now,
    start: event.startsAt,
    end,
    summary: event.name,
    location: locationOf(event),
    description: `${describe[normalizeLocale(order.locale)](orderNumber(order.id))}\n${url}`,
    url,
  });
}
