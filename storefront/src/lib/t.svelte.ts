import { page } from '$app/state';
import { defaultLocale, dirOf, isLocale, translator, type Locale } from './i18n';

/**
 * The current page's locale and translator, for components:
 * `const i = useI18n();` then `i.t('home.title')` in the markup.
 */
export function useI18n() {
  const locale = $derived<Locale>(isLocale(page.data.locale) ? page.data.locale : defaultLocale);
  const t = $derived(translator(locale));
  return {
    get locale() { return locale; },
    get dir() { return dirOf(locale); },
    get t() { return t; },
  };
}
