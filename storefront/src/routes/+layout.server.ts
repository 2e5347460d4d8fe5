import type { LayoutServerLoad } from './$types';

/**
 * Runs again on every navigation (it reads the URL), so the header follows a
 * session that ended during the previous request (`endSession`) instead of
 * keeping the name it showed when the app started.
 */
export const load: LayoutServerLoad = ({ locals, url }) => {
  void url.pathname;
  return { locale: locals.locale, account: locals.account };
};
