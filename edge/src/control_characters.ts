import { HttpError } from './http/errors.ts';

/**
 * Control characters in what a client sends, refused in one place for the
 * whole API (security issue #11): JSON bodies through `parseBody`
 * (validation.ts), query strings and path parameters through http/route.ts.
 */

/**
 * C0 controls (NUL, tab, newline...), DEL and C1 controls. No text field of the
 * API is multi-line, so none of them has a place in a name, a venue, a gate or
 * a query; Postgres refuses NUL in text outright (that was a 500), and the rest
 * would end up in emails, CSV exports and logs.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
/** The same characters percent-encoded, as they arrive in a path parameter (uWS does not decode those). */
const encodedControlCharacter = /%(?:[01][0-9a-f]|7f|c2%[89][0-9a-f])/i;

/**
 * Fields exempt from the check: a password is an opaque secret, hashed and never
 * stored, shown or logged, and refusing a character at sign-in could lock out
 * an account whose password was set before this rule.
 */
const controlCheckExempt = new Set(['password']);

/**
 * Multi-line plain-text fields (an event's description and address, #15):
 * line breaks and tabs are theirs to keep; every other control character is
 * still refused. The storefront escapes them and shows the breaks.
 */
const multilineFields = new Set(['description', 'address']);
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const controlCharacterNotBreak = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function controlCharactersError(field: string, value: string, pattern = controlCharacter): HttpError {
  const at = value.search(pattern);
  const code = value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  const advice = pattern === controlCharacter ? 'send printable text on one line' : 'send printable text; line breaks and tabs are kept';
  return new HttpError(400, 'control_characters',
    `${field} must not contain control characters (found U+${code} at position ${at}); ${advice}`, { field });
}

/** Throws 400 `control_characters` for the first string (value or key) in a parsed JSON body that holds one. */
export function refuseControlCharacters(body: unknown): void {
  // Iterative: a body is bounded in bytes, not in depth, and a deep one must not overflow the stack.
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const multiline = multilineFields.has(path.slice(path.lastIndexOf('.') + 1));
      if ((multiline ? controlCharacterNotBreak : controlCharacter).test(value)) {
        throw controlCharactersError(path === '' ? 'the body' : path, value, multiline ? controlCharacterNotBreak : controlCharacter);
      }
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], `${path}[${i}]`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const key in value) {
        const at = path === '' ? key : `${path}.${key}`;
        if (controlCharacter.test(key)) throw controlCharactersError(`the field name ${JSON.stringify(key)}`, key);
        if (!controlCheckExempt.has(key)) stack.push([(value as Record<string, unknown>)[key], at]);
      }
    }
  }
}

/** Throws 400 `control_characters` when a query parameter's name or value holds one. */
export function refuseControlCharactersInQuery(query: URLSearchParams): void {
  for (const [key, value] of query) {
    if (controlCharacter.test(key)) throw controlCharactersError(`the query parameter name ${JSON.stringify(key)}`, key);
    if (controlCharacter.test(value)) throw controlCharactersError(`the query parameter ${key}`, value);
  }
}

/** The 400 for a path parameter holding a control character (raw or percent-encoded), or null. */
export function pathParamProblem(params: Record<string, string>): HttpError | null {
  for (const name in params) {
    const value = params[name]!;
    if (controlCharacter.test(value) || encodedControlCharacter.test(value)) {
      return new HttpError(400, 'control_characters', `the path parameter ${name} must not contain control characters; check the id in the URL`, { field: name });
    }
  }
  return null;
}
