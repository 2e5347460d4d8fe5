import { ar } from './ar';
import { en, type MessageKey } from './en';
import { fr } from './fr';

export type { MessageKey };
export const locales = ['fr', 'en', 'ar'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'fr';

/** Names of the languages in their own language, for the switch. */
export const localeNames: Record<Locale, string> = { fr: 'Français', en: 'English', ar: 'العربية' };

/** The Intl locale used for numbers, money and dates: Tunisian Arabic keeps Latin digits, which ticket codes and prices use. */
export const intlLocales: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB', ar: 'ar-TN' };

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, fr, ar };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export function dirOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

/** The cookie's choice, else the first Accept-Language that we speak, else French. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return defaultLocale;
}

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export function translator(locale: Locale): Translate {
  const dictionary = dictionaries[locale];
  return (key, vars) => {
    const text = dictionary[key] ?? en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
  };
}

/** Whether a dictionary has a sentence for this key (used to translate API error codes). */
export function hasMessage(key: string): key is MessageKey {
  return key in en;
}
