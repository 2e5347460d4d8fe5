import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { isSupportedCountry } from 'libphonenumber-js';

/**
 * Phone numbers as the edge accepts them: international (+216 20 123 456,
 * 0021620123456) or national in the account's country ("20 123 456" in
 * Tunisia, the default region). Stored and sent in E.164 (+21620123456), the
 * only form SNS takes. A number must be a mobile (or a number that may be
 * one): a landline cannot receive the text.
 */
export const defaultPhoneRegion: CountryCode = 'TN';

export type PhoneParse = { ok: true; e164: string } | { ok: false; message: string };

/** Whether `code` is an ISO 3166-1 alpha-2 region libphonenumber knows (TN, FR, DZ...). */
export function isPhoneRegion(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

const lengthProblems: Record<string, string> = {
  TOO_SHORT: 'is too short',
  TOO_LONG: 'is too long',
  INVALID_LENGTH: 'has the wrong number of digits',
  NOT_A_NUMBER: 'is not a phone number',
};

/** `input` as E.164, or a sentence saying what to fix. `region` reads a national number (default TN). */
export function normalisePhone(input: string, region: CountryCode = defaultPhoneRegion): PhoneParse {
  const trimmed = input.trim();
  const example = region === 'TN' ? '"20 123 456" or "+216 20 123 456"' : '"+<country code> <number>"';
  if (trimmed === '') return { ok: false, message: `phone must not be empty; give a mobile number such as ${example}, or null to remove it` };
  if (/[^0-9+\s().-]/.test(trimmed)) return { ok: false, message: `phone may hold only digits, spaces, "+", "-", "." and brackets, e.g. ${example}` };
  // "00" is the international prefix in Tunisia and most of Europe and Africa.
  const international = trimmed.replace(/^00/, '+');
  const problem = validatePhoneNumberLength(international, region);
  if (problem === 'INVALID_COUNTRY') return { ok: false, message: `phone has an unknown country code; give a mobile number such as ${example}` };
  if (problem !== undefined) return { ok: false, message: `phone ${lengthProblems[problem] ?? 'is not valid'} for ${international.startsWith('+') ? 'its country code' : region}; give a mobile number such as ${example}` };
  const parsed = parsePhoneNumberFromString(international, region);
  if (parsed === undefined || !parsed.isValid()) {
    return { ok: false, message: `phone is not a valid number${international.startsWith('+') ? '' : ` in ${region}`}; give a mobile number such as ${example}, with its country code (+33, +213...) if it is not from ${region}` };
  }
  const type = parsed.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE' && type !== 'PERSONAL_NUMBER') {
    return { ok: false, message: `phone ${parsed.formatInternational()} is not a mobile number (${type.toLowerCase().replace(/_/g, ' ')}); tickets by SMS need a mobile` };
  }
  return { ok: true, e164: parsed.number };
}
