import { assert } from '../assert.ts';
import { smsSegmentsMax } from '../constants.ts';
import { toDecimalString } from '../money/currency.ts';
import { normalizeLocale, type Locale } from '../mail/templates.ts';
import { smsSegments, type SmsEncoding } from './segments.ts';

/**
 * The texts Tickr sends by SMS, in English, French and Arabic: short, with
 * the event, its date and a link to the order's page. Never a ticket's
 * secret: an SMS is read on lock screens and kept by carriers, and the page
 * behind the link asks the buyer to sign in before it shows a QR code.
 *
 * The fixed words of en and fr stay inside GSM-7 (no ê, ç, ’), so those
 * texts fit 160 characters a part; Arabic is UCS-2 (70 a part). A long event
 * name is shortened so that the text fits `smsSegmentsMax` parts.
 */
export const smsTemplateNames = ['tickets_issued', 'event_reminder', 'refund_notice'] as const;
export type SmsTemplateName = (typeof smsTemplateNames)[number];

export type SmsTemplateData = {
  tickets_issued: { eventName: string; startsAt: string; ticketsUrl: string };
  event_reminder: { eventName: string; startsAt: string; ticketsUrl: string };
  /** amount: minor units of currency. */
  refund_notice: { eventName: string; amount: number; currency: string; ticketsUrl: string; /** The event was cancelled (#15): the text says so. */ cancelled?: boolean };
};

export type RenderedSms = { body: string; encoding: SmsEncoding; segments: number };

type Words = {
  issued: (e: string, w: string, u: string) => string;
  reminder: (e: string, w: string, u: string) => string;
  refund: (e: string, a: string, u: string) => string;
  cancelled: (e: string, a: string, u: string) => string;
};

const words: Record<Locale, Words> = {
  en: {
    issued: (e, w, u) => `Tickr: your tickets for ${e}, ${w}. Show them at the door: ${u}`,
    reminder: (e, w, u) => `Tickr reminder: ${e} starts ${w}. Your tickets: ${u}`,
    refund: (e, a, u) => `Tickr: your order for ${e} was refunded (${a}). Its tickets no longer admit. ${u}`,
    cancelled: (e, a, u) => `Tickr: ${e} is cancelled. Your order is refunded in full (${a}). ${u}`,
  },
  fr: {
    issued: (e, w, u) => `Tickr : vos billets pour ${e}, le ${w}. A montrer à l'entrée : ${u}`,
    reminder: (e, w, u) => `Rappel Tickr : ${e} commence le ${w}. Vos billets : ${u}`,
    refund: (e, a, u) => `Tickr : votre commande pour ${e} est remboursée (${a}). Ses billets ne sont plus valables. ${u}`,
    cancelled: (e, a, u) => `Tickr : ${e} est annulé. Votre commande est remboursée (${a}). ${u}`,
  },
  ar: {
    // Shorter than en and fr: UCS-2 gives 134 characters for two parts, and the link alone takes about 70.
    issued: (e, w, u) => `Tickr: تذاكرك لـ ${e}، ${w}: ${u}`,
    reminder: (e, w, u) => `تذكير: ${e} في ${w}. تذاكرك: ${u}`,
    refund: (e, a, u) => `Tickr: رُدّ إليك ${a} عن ${e}، والتذاكر ملغاة: ${u}`,
    cancelled: (e, a, u) => `Tickr: أُلغي ${e}، ورُدّ إليك ${a}: ${u}`,
  },
};

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Digits and Latin letters only, so a date never turns a GSM-7 text into UCS-2. UTC, as the emails say. */
export function smsDate(iso: string, locale: Locale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
  if (locale === 'en') return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}`;
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${time}`;
}

function compose(template: SmsTemplateName, locale: Locale, data: SmsTemplateData[SmsTemplateName], eventName: string): string {
  const w = words[locale];
  switch (template) {
    case 'tickets_issued':
    case 'event_reminder': {
      const d = data as SmsTemplateData['tickets_issued'];
      const text = template === 'tickets_issued' ? w.issued : w.reminder;
      return text(eventName, smsDate(d.startsAt, locale), d.ticketsUrl);
    }
    case 'refund_notice': {
      const d = data as SmsTemplateData['refund_notice'];
      return (d.cancelled === true ? w.cancelled : w.refund)(eventName, `${toDecimalString({ amount: d.amount, currency: d.currency })} ${d.currency}`, d.ticketsUrl);
    }
    default:
      throw new TypeError(`unknown SMS template ${String(template)}`);
  }
}

/** Shortest an event name is cut to; below it the text is sent in more parts rather than lose the name. */
const eventNameCharsMin = 12;

/** The text, in the buyer's language, cut to `smsSegmentsMax` parts by shortening the event name ("..."). */
export function renderSms<T extends SmsTemplateName>(template: T, localeIn: string, data: SmsTemplateData[T]): RenderedSms {
  const locale = normalizeLocale(localeIn);
  // Line breaks and runs of spaces in a name would only cost characters.
  const name = data.eventName.replace(/\s+/g, ' ').trim();
  let chars = [...name];
  let body = compose(template, locale, data, name);
  let counted = smsSegments(body);
  while (counted.segments > smsSegmentsMax && chars.length > eventNameCharsMin) {
    chars = chars.slice(0, -1);
    body = compose(template, locale, data, `${chars.join('').trimEnd()}...`);
    counted = smsSegments(body);
  }
  assert(counted.segments >= 1);
  return { body, ...counted };
}
