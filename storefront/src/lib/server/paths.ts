/**
 * The way back after a form (`next` on sign-in and sign-up, `back` on the
 * language switch) comes from the query or the form, so anyone can write a
 * link that sets it. Only a path of this site may come out (no open redirect),
 * judged the way a browser reads a Location header: browsers drop tabs and
 * newlines from a URL and read a backslash as a slash, so `/\t/evil.example`
 * and `/\evil.example` both mean `//evil.example`, another site.
 */

/** Longer than any path of this site with its query; a longer one was not made by this site. */
export const backLengthMax = 2_048;

/** Control characters (tab, newline, ...) and backslashes: refused outright rather than guessed at. */
const unsafeChar = /[\u0000-\u001f\u007f\\]/;
/** A host no request can name, to resolve a path against and see whether it stays there. */
const base = 'http://tickr.invalid';

/**
 * The normalised same-origin path (path, query, fragment) that `value` names,
 * or null when it could lead anywhere else.
 */
export function sameOriginPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > backLengthMax) return null;
  if (!value.startsWith('/') || unsafeChar.test(value)) return null;
  // An encoded "/%2F%2Fevil" is a harmless path to a browser, but not to a server or proxy that decodes
  // it once more before redirecting: refuse a path that becomes unsafe when decoded.
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(value.split(/[?#]/, 1)[0]!);
  } catch {
    return null;
  }
  if (unsafeChar.test(decodedPath) || decodedPath.startsWith('//')) return null;
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  const path = url.pathname + url.search + url.hash;
  // Dot segments can fold into a leading "//" ("/.//evil" resolves to "//evil"), so the result is checked too.
  return path.startsWith('//') ? null : path;
}

/** `value` when it is a path of this site (normalised), else `fallback`. */
export function safeBack(value: unknown, fallback = '/'): string {
  return sameOriginPath(value) ?? fallback;
}

/**
 * Where a signed-out visitor goes to sign in and come back to `url`: its path
 * and query, without a form action's `?/name` (the way back is a page, not a
 * repeated POST).
 */
export function signinPath(url: URL, opts: { ended?: boolean } = {}): string {
  const query = new URLSearchParams([...url.searchParams].filter(([key]) => !key.startsWith('/')));
  const search = query.size > 0 ? `?${query}` : '';
  const back = safeBack(url.pathname + search);
  // ended: the session ended (expired, or voided by a password change elsewhere); the form says so.
  const params = new URLSearchParams([...(back === '/' ? [] : [['next', back]]), ...(opts.ended ? [['ended', '1']] : [])]);
  return params.size === 0 ? '/signin' : `/signin?${params}`;
}
