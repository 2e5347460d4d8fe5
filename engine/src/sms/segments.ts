/**
 * How an SMS travels and how many parts it costs. GSM-7 (GSM 03.38) packs
 * 160 characters in one SMS, 153 per part once split (the rest is the
 * concatenation header); a character of the extension table (€ [ ] { } ~ ^ \ |)
 * takes two. Any other character (Arabic, ê, ç, emoji) sends the whole text
 * as UCS-2: 70 UTF-16 units in one SMS, 67 per part.
 */
export type SmsEncoding = 'gsm7' | 'ucs2';

const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const gsmExtension = new Set('^{}\\[~]|€\f');

export function smsEncoding(text: string): SmsEncoding {
  for (const c of text) if (!gsmBasic.has(c) && !gsmExtension.has(c)) return 'ucs2';
  return 'gsm7';
}

/** Septets for GSM-7, UTF-16 code units for UCS-2. */
export function smsLength(text: string, encoding: SmsEncoding = smsEncoding(text)): number {
  if (encoding === 'ucs2') return text.length;
  let n = 0;
  for (const c of text) n += gsmExtension.has(c) ? 2 : 1;
  return n;
}

export function smsSegments(text: string): { encoding: SmsEncoding; segments: number } {
  const encoding = smsEncoding(text);
  const length = smsLength(text, encoding);
  const [single, part] = encoding === 'gsm7' ? [160, 153] : [70, 67];
  return { encoding, segments: length <= single ? 1 : Math.ceil(length / part) };
}
