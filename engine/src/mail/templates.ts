import { formatMoney } from '../money/currency.ts';
import type { Receipt } from '../orders/receipt.ts';
import type { PaymentProviderName } from '../payments/provider.ts';
import { renderAccountEmail, type AccountTemplateData } from './account_templates.ts';

/**
 * The emails Tickr sends, in English, French and Arabic, as text and HTML.
 * Rendered when the email is queued, so the outbox row is exactly what was
 * (or will be) delivered. Every value from data is escaped in HTML.
 */
export const templateNames = ['order_confirmation', 'refund_notice', 'event_reminder', 'verify_email', 'staff_added', 'staff_invite',
  'reset_password', 'email_change', 'email_changed'] as const;
export type TemplateName = (typeof templateNames)[number];
export const locales = ['en', 'fr', 'ar'] as const;
export type Locale = (typeof locales)[number];

export type TicketLine = { ticketId: string; typeName: string; holderName: string };
/** The event's poster in an email: an absolute URL to a JPEG (mail clients may not show WebP), its size in pixels. */
export type EmailPoster = { url: string; width: number; height: number };

export type TemplateData = AccountTemplateData & {
  order_confirmation: {
    name: string; eventName: string; venue: string; startsAt: string; orderId: string;
    /** The event's IANA zone (#15); emails queued before it existed have none and read UTC. */
    timeZone?: string;
    /** Where the buyer sees the tickets with their QR codes (the storefront's order page). */
    ticketsUrl: string; tickets: TicketLine[];
    /** Absent or null: the event has no poster (emails queued before #14 have none). */
    poster?: EmailPoster | null;
    /** What was paid (#15); emails queued before it have none. */
    receipt?: Receipt;
    /** The signed link to the event's .ics file (#15). */
    calendarUrl?: string;
  };
  refund_notice: {
    name: string; eventName: string; orderId: string;
    /** Minor units of currency. */
    amount: number; currency: string;
    reason: 'organizer' | 'buyer' | 'late_payment_sold_out' | 'late_payment_promo_used_up' | 'tickets_not_issued' | 'event_cancelled';
  };
  event_reminder: { name: string; eventName: string; venue: string; startsAt: string; timeZone?: string; ticketsUrl: string; ticketCount: number; poster?: EmailPoster | null };
};

export type Rendered = { subject: string; text: string; html: string };

/** An unknown locale falls back to English rather than failing an email. */
export function normalizeLocale(locale: string): Locale {
  const base = locale.toLowerCase().slice(0, 2);
  return (locales as readonly string[]).includes(base) ? (base as Locale) : 'en';
}

/** One formatter per (locale, zone), with the zone it shows: building one costs more than the rest of an email, and a sell-out renders thousands. */
const dateFormats = new Map<string, { format: Intl.DateTimeFormat; zone: string }>();

/** The event's time in its own zone, the zone named (as the storefront shows it); UTC when the zone is missing or unknown. */
export function when(iso: string, locale: Locale, timeZone = 'UTC'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let entry = dateFormats.get(`${locale} ${timeZone}`);
  if (entry === undefined) {
    let zone = timeZone;
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone });
    } catch {
      zone = 'UTC';
      format = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone });
    }
    entry = { format, zone };
    dateFormats.set(`${locale} ${timeZone}`, entry);
  }
  return `${entry.format.format(date)} ${entry.zone}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Words = {
  hello: (n: string) => string;
  confirmSubject: (e: string) => string; confirmIntro: (e: string, v: string, w: string) => string; confirmLink: string; ticket: string;
  refundSubject: (e: string) => string; cancelledSubject: (e: string) => string; refundBody: (amount: string, e: string) => string; reasons: Record<TemplateData['refund_notice']['reason'], string>;
  reminderSubject: (e: string) => string; reminderBody: (e: string, v: string, w: string, n: number) => string;
  order: string; footer: string;
  receipt: string; each: (price: string) => string; discount: (code: string) => string; total: string; paidWith: string; date: string; calendar: string; calendarLink: string;
  providers: Record<PaymentProviderName, string>;
};

const words: Record<Locale, Words> = {
  en: {
    hello: (n) => `Hello ${n},`,
    confirmSubject: (e) => `Your tickets for ${e}`,
    confirmIntro: (e, v, w) => `Your order for ${e} at ${v} on ${w} is confirmed.`,
    confirmLink: 'Show the QR codes at the door from your tickets page:',
    ticket: 'Ticket',
    refundSubject: (e) => `Your refund for ${e}`,
    cancelledSubject: (e) => `${e} is cancelled: your refund`,
    refundBody: (a, e) => `We refunded ${a} for your order for ${e}. Its tickets no longer admit.`,
    reasons: { organizer: 'The organizer refunded this order.', buyer: 'You asked for this refund.', late_payment_sold_out: 'Your payment arrived after your hold expired and the tickets were sold out.', late_payment_promo_used_up: 'Your payment arrived after your hold expired and the promo code had been used as many times as it may be meanwhile.', tickets_not_issued: 'We could not issue your tickets; we are sorry, and your payment is refunded in full.', event_cancelled: 'The organizer cancelled this event. Your payment is refunded in full.' },
    reminderSubject: (e) => `Reminder: ${e} is coming up`,
    reminderBody: (e, v, w, n) => `${e} at ${v} starts on ${w}. You have ${n} ticket${n === 1 ? '' : 's'}.`,
    order: 'Order', footer: 'Sent by Tickr.',
    receipt: 'Receipt', each: (p) => `${p} each`, discount: (c) => `Discount (${c})`, total: 'Total', paidWith: 'Paid with', date: 'Date', calendar: 'Add it to your calendar:', calendarLink: 'Add to calendar (.ics)',
    providers: { simulated: 'Test card (simulated)', stripe: 'Card (Stripe)', clictopay: 'Card (ClicToPay)', konnect: 'Konnect (e-Dinar, card or wallet)' },
  },
  fr: {
    hello: (n) => `Bonjour ${n},`,
    confirmSubject: (e) => `Vos billets pour ${e}`,
    confirmIntro: (e, v, w) => `Votre commande pour ${e} à ${v} le ${w} est confirmée.`,
    confirmLink: 'Présentez les QR codes à l’entrée depuis votre page de billets :',
    ticket: 'Billet',
    refundSubject: (e) => `Votre remboursement pour ${e}`,
    cancelledSubject: (e) => `${e} est annulé : votre remboursement`,
    refundBody: (a, e) => `Nous avons remboursé ${a} pour votre commande pour ${e}. Ses billets ne sont plus valables.`,
    reasons: { organizer: 'L’organisateur a remboursé cette commande.', buyer: 'Vous avez demandé ce remboursement.', late_payment_sold_out: 'Votre paiement est arrivé après l’expiration de votre réservation et les billets étaient épuisés.', late_payment_promo_used_up: 'Votre paiement est arrivé après l’expiration de votre réservation et le code promo avait entre-temps atteint son nombre d’utilisations.', tickets_not_issued: 'Nous n’avons pas pu émettre vos billets ; toutes nos excuses, votre paiement est intégralement remboursé.', event_cancelled: 'L’organisateur a annulé cet événement. Votre paiement est intégralement remboursé.' },
    reminderSubject: (e) => `Rappel : ${e} approche`,
    reminderBody: (e, v, w, n) => `${e} à ${v} commence le ${w}. Vous avez ${n} billet${n === 1 ? '' : 's'}.`,
    order: 'Commande', footer: 'Envoyé par Tickr.',
    receipt: 'Reçu', each: (p) => `${p} l’unité`, discount: (c) => `Réduction (${c})`, total: 'Total', paidWith: 'Payé par', date: 'Date', calendar: 'Ajoutez-le à votre agenda :', calendarLink: 'Ajouter à l’agenda (.ics)',
    providers: { simulated: 'Carte de test (simulée)', stripe: 'Carte (Stripe)', clictopay: 'Carte (ClicToPay)', konnect: 'Konnect (e-Dinar, carte ou portefeuille)' },
  },
  ar: {
    hello: (n) => `مرحبًا ${n}،`,
    confirmSubject: (e) => `تذاكرك لـ ${e}`,
    confirmIntro: (e, v, w) => `تم تأكيد طلبك لـ ${e} في ${v} بتاريخ ${w}.`,
    confirmLink: 'اعرض رموز QR عند المدخل من صفحة تذاكرك:',
    ticket: 'تذكرة',
    refundSubject: (e) => `استرداد المبلغ لـ ${e}`,
    cancelledSubject: (e) => `أُلغي ${e}: استرداد المبلغ`,
    refundBody: (a, e) => `أعدنا ${a} عن طلبك لـ ${e}. لم تعد تذاكره صالحة.`,
    reasons: { organizer: 'قام المنظم باسترداد هذا الطلب.', buyer: 'لقد طلبت هذا الاسترداد.', late_payment_sold_out: 'وصل دفعك بعد انتهاء الحجز ونفدت التذاكر.', late_payment_promo_used_up: 'وصل دفعك بعد انتهاء الحجز، وكان رمز الخصم قد استُخدم في الأثناء بالعدد المسموح به.', tickets_not_issued: 'تعذّر علينا إصدار تذاكرك؛ نعتذر، وسيُرد إليك المبلغ كاملاً.', event_cancelled: 'ألغى المنظم هذه الفعالية. سيُرد إليك المبلغ كاملاً.' },
    reminderSubject: (e) => `تذكير: ${e} يقترب`,
    reminderBody: (e, v, w, n) => `يبدأ ${e} في ${v} بتاريخ ${w}. لديك ${n} تذكرة.`,
    order: 'الطلب', footer: 'أرسلت بواسطة Tickr.',
    receipt: 'الإيصال', each: (p) => `${p} للواحدة`, discount: (c) => `الخصم (${c})`, total: 'المجموع', paidWith: 'طريقة الدفع', date: 'التاريخ', calendar: 'أضِفه إلى تقويمك:', calendarLink: 'أضِف إلى التقويم (ملف ics)',
    providers: { simulated: 'بطاقة تجريبية (محاكاة)', stripe: 'بطاقة (Stripe)', clictopay: 'بطاقة (ClicToPay)', konnect: 'Konnect (الدينار الإلكتروني أو بطاقة أو محفظة)' },
  },
};

/** Widest a poster is shown in an email: the usual width of an email's body. */
const emailPosterWidthMax = 600;

/** The poster as the first thing of the HTML email (the text version has none); its alt text is the event's name. */
function posterHtml(poster: EmailPoster | null | undefined, alt: string): string {
  if (poster === null || poster === undefined) return '';
  const width = Math.min(emailPosterWidthMax, poster.width);
  const height = Math.round((poster.height * width) / poster.width);
  return `<p><img src="${escapeHtml(poster.url)}" alt="${escapeHtml(alt)}" width="${width}" height="${height}" style="display:block;max-width:100%;height:auto;border:0"></p>`;
}

/** A part written for both versions (the receipt), placed after the list; its HTML is built escaped. */
type Block = { text: string; html: string };

/** Paragraphs → text and HTML; `link` becomes an anchor in HTML; `poster` (HTML only) goes first; `blocks` (the receipt) after the link. */
function compose(locale: Locale, subject: string, paragraphs: string[], link?: string, list?: string[], poster?: string, blocks: Block[] = []): Rendered {
  const w = words[locale];
  const textParts = [...paragraphs];
  if (list) textParts.push(list.map((l) => `- ${l}`).join('\n'));
  if (link) textParts.push(link);
  for (const b of blocks) textParts.push(b.text);
  textParts.push(w.footer);
  const dir = locale === 'ar' ? 'rtl' : 'ltr';
  const html = [
    `<!doctype html><html lang="${locale}" dir="${dir}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    poster ?? '',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    list ? `<ul>${list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '',
    link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : '',
    ...blocks.map((b) => b.html),
    `<p><small>${escapeHtml(w.footer)}</small></p></body></html>`,
  ].join('');
  return { subject, text: textParts.join('\n\n') + '\n', html };
}

/**
 * The receipt (#15): one row per line item (type, quantity × unit price,
 * amount), then fees or discounts, the total, how it was paid, the order
 * number and the date in the event's zone. Amounts through formatMoney, so
 * the currency table decides the decimals (TND has 3).
 */
export function receiptBlock(r: Receipt, locale: Locale): Block {
  const w = words[locale];
  const money = (amount: number) => formatMoney({ amount, currency: r.currency }, locale);
  const rows: [string, string][] = [
    ...r.lines.map((l): [string, string] => [`${l.quantity} × ${l.typeName} (${w.each(money(l.unitPrice))})`, money(l.amount)]),
    ...r.adjustments.map((a): [string, string] => [a.kind === 'discount' ? w.discount(a.label) : a.label, money(a.amount)]),
  ];
  const facts: [string, string][] = [
    [w.total, money(r.total)], [w.paidWith, w.providers[r.provider] ?? r.provider], [w.order, r.orderNumber], [w.date, when(r.date, locale, r.timeZone)],
  ];
  const text = [`${w.receipt} · ${w.order} ${r.orderNumber}`, ...rows.map(([k, v]) => `${k}: ${v}`), ...facts.map(([k, v]) => `${k}: ${v}`)].join('\n');
  // Amounts stay on one line; the facts (a long date in a zone) wrap, so the table fits a phone's width.
  const tr = ([k, v]: [string, string], opts: { strong?: boolean; amount?: boolean } = {}) => {
    const cell = opts.strong === true ? `<strong>${escapeHtml(v)}</strong>` : escapeHtml(v);
    return `<tr><td style="padding:2px 8px 2px 0">${escapeHtml(k)}</td><td style="padding:2px 0;text-align:end${opts.amount === true ? ';white-space:nowrap' : ''}">${cell}</td></tr>`;
  };
  const html = `<h2 style="font-size:1.1em">${escapeHtml(w.receipt)}</h2><table role="presentation" style="border-collapse:collapse;max-width:100%">`
    + rows.map((row) => tr(row, { amount: true })).join('') + tr(facts[0]!, { strong: true, amount: true }) + facts.slice(1).map((row) => tr(row)).join('') + '</table>';
  return { text, html };
}

/** The text version shows the URL; the HTML a short anchor (a signed URL is too long for a phone's width). */
function linkBlock(label: string, anchor: string, url: string): Block {
  return { text: `${label}\n${url}`, html: `<p><a href="${escapeHtml(url)}">${escapeHtml(anchor)}</a></p>` };
}

export function renderEmail<T extends TemplateName>(template: T, localeIn: string, data: TemplateData[T]): Rendered {
  const locale = normalizeLocale(localeIn);
  const w = words[locale];
  switch (template) {
    case 'order_confirmation': {
      const d = data as TemplateData['order_confirmation'];
      const lines = d.tickets.map((t) => `${w.ticket} ${t.typeName} · ${t.holderName} · ${t.ticketId.slice(0, 8)}`);
      const blocks: Block[] = [];
      if (d.receipt !== undefined) blocks.push(receiptBlock(d.receipt, locale));
      if (d.calendarUrl !== undefined) blocks.push(linkBlock(w.calendar, w.calendarLink, d.calendarUrl));
      return compose(locale, w.confirmSubject(d.eventName), [w.hello(d.name), w.confirmIntro(d.eventName, d.venue, when(d.startsAt, locale, d.timeZone)), `${w.order} ${d.orderId}`, w.confirmLink], d.ticketsUrl, lines,
        posterHtml(d.poster, d.eventName), blocks);
    }
    case 'refund_notice': {
      const d = data as TemplateData['refund_notice'];
      const amount = formatMoney({ amount: d.amount, currency: d.currency }, locale);
      const subject = d.reason === 'event_cancelled' ? w.cancelledSubject(d.eventName) : w.refundSubject(d.eventName);
      return compose(locale, subject, [w.hello(d.name), w.refundBody(amount, d.eventName), w.reasons[d.reason], `${w.order} ${d.orderId}`]);
    }
    case 'event_reminder': {
      const d = data as TemplateData['event_reminder'];
      return compose(locale, w.reminderSubject(d.eventName), [w.hello(d.name), w.reminderBody(d.eventName, d.venue, when(d.startsAt, locale, d.timeZone), d.ticketCount)], d.ticketsUrl,
        undefined, posterHtml(d.poster, d.eventName));
    }
    case 'verify_email':
    case 'staff_added':
    case 'staff_invite':
    case 'reset_password':
    case 'email_change':
    case 'email_changed':
      return renderAccountEmail(compose, template as keyof AccountTemplateData, locale, data as AccountTemplateData[keyof AccountTemplateData]);
    default:
      throw new TypeError(`unknown email template ${String(template)}`);
  }
}
