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

/**
 * `{name}` is replaced by the variable. `{name|one:…|two:…|few:…|many:…|other:…}`
 * picks the form Intl.PluralRules gives for the variable's number in this
 * language (Arabic has six: zero, one, two, few, many, other); `#` in a form
 * is the variable as given (already formatted). A form missing falls back to
 * `other`. A formatted number ("1 234", "12,5") is read back by its digits.
 */
export function translator(locale: Locale): Translate {
  const dictionary = dictionaries[locale];
  const rules = new Intl.PluralRules(intlLocales[locale]);
  return (key, vars) => {
    const text = dictionary[key] ?? en[key] ?? key;
    if (!vars) return text;
    return text.replace(/\{(\w+)((?:\|[a-z]+:[^|}]*)*)\}/g, (whole, name: string, forms: string) => {
      if (!(name in vars)) return whole;
      const value = String(vars[name]);
      if (forms === '') return value;
      const options = new Map(forms.slice(1).split('|').map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1)] as const));
      const n = typeof vars[name] === 'number' ? (vars[name] as number) : Number(value.replace(/[^\d.-]/g, ''));
      const exact = n === 0 && options.has('zero') ? 'zero' : rules.select(n);
      return (options.get(exact) ?? options.get('other') ?? value).replace(/#/g, value);
    });
  };
}

/** Whether a dictionary has a sentence for this key (used to translate API error codes). */
export function hasMessage(key: string): key is MessageKey {
  return key in en;
}
