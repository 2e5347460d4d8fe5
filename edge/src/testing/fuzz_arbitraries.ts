import fc from 'fast-check';

/**
 * What the fuzz test (edge/src/fuzz.test.ts) sends: valid-shaped requests
 * with wild values, and some that are wild throughout.
 *
 * Control characters (NUL and the rest of C0, DEL, C1) are sent everywhere
 * strings are: the edge answers them 400 `control_characters` in bodies,
 * queries and path parameters (Postgres refuses NUL in text, once a 500).
 * The switch stays for a reader replaying a seed without them.
 */
export const sendControlCharacters = true;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;
const clean = (s: string) => (sendControlCharacters ? s : s.replace(controlCharacters, ''));

/** A value the JSON text carries verbatim: numbers JSON.stringify cannot write, nesting deeper than any schema. */
const rawTexts: string[] = [];
function raw(text: string): string {
  rawTexts.push(text);
  return `\u{1F9EA}raw:${rawTexts.length - 1}`;
}
const rawTokens = /"\u{1F9EA}raw:(\d+)"/gu;

/** Strings a parser or a database may choke on. */
const tricky = [
  '', ' ', '..', '../..', '/', '\\', '%', '%25', '\ud800', '\udfff', '💥', '👩‍👩‍👧‍👦', '\u202e', '\u200b', '\ufeff', 'ﷺ', 'İ', 'ß',
  "'; DROP TABLE accounts; --", '<script>', '${x}', '{{x}}', 'null', 'undefined', 'true', 'NaN', 'Infinity', '-Infinity', '1e999', '-0',
  '0x10', '1_000', ' 5', '5 ', '00000000-0000-0000-0000-000000000000', 'sim_00000000000000000000000000000000', '2027-02-30T25:61:61Z',
  '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2027-07-10T20:00:00+14:00', '2027-07-10', 'a@b', 'a@b.c', 'x'.repeat(300),
  ...(sendControlCharacters ? ['\u0000', 'a\u0000b', '\u0007', '\r\n', '\u0085'] : []),
];

const controlUnit = fc.constantFrom('\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', 'a', ' ');

export const wildString = fc.oneof(
  ...(sendControlCharacters ? [{ weight: 2, arbitrary: fc.string({ unit: controlUnit, minLength: 1, maxLength: 10 }) }] : []),
  fc.string({ maxLength: 40 }).map(clean),
  fc.string({ unit: 'binary', maxLength: 40 }).map(clean),
  fc.constantFrom(...tricky),
  fc.string({ unit: 'grapheme-ascii', minLength: 1_000, maxLength: 8_000 }).map(clean),
);

/** Wild numbers; `1e999` and the like are written into the JSON text raw (see `rawTokens`). */
export const wildNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 0.5, -0.5, 1e-300, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, 1e21, 1e308, -1e308),
  fc.constantFrom(raw('1e999'), raw('-1e999'), raw('1E400'), raw('123456789012345678901234567890')),
);

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
export const deepValue = fc.constantFrom(raw(deep(100)), raw(deep(5_000)), raw(`${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`));

/** Any JSON value at all, wrong types included. */
export const wildValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: wildString },
  { weight: 3, arbitrary: wildNumber },
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  deepValue,
  fc.array(wildString, { maxLength: 5 }),
  fc.dictionary(wildString, wildString, { maxKeys: 4 }),
);

/** The JSON text of `body`, with raw tokens written verbatim. */
export function jsonText(body: unknown): string {
  return JSON.stringify(body).replace(rawTokens, (_m, index: string) => rawTexts[Number(index)]!);
}

type Json = Record<string, unknown>;

/** Paths of the fields of `template`: top-level keys, and the keys of objects one level down (also inside arrays). */
function fieldPaths(template: unknown, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (template === null || typeof template !== 'object' || depth > 2) return [];
  const entries: [string | number, unknown][] = Array.isArray(template) ? template.map((v, i) => [i, v]) : Object.entries(template);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k], depth + 1)]);
}

function setIn(value: unknown, path: (string | number)[], to: unknown | typeof remove): unknown {
  if (path.length === 0) return to;
  const copy: Json | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Json) };
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const next = setIn((copy as Json)[head], rest, to);
  if (next === remove) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1);
    else delete copy[head];
  } else (copy as Json)[head] = next;
  return copy;
}
const remove = Symbol('remove');

/**
 * JSON bodies shaped like `template` (a body the route accepts) with wild
 * values: one field wild, one removed, one extra, all fields wild, or a body
 * that is wild throughout, or not JSON at all.
 */
export function bodyText(template: unknown): fc.Arbitrary<string> {
  const paths = fieldPaths(template);
  const keys = template !== null && typeof template === 'object' && !Array.isArray(template) ? Object.keys(template) : [];
  const shaped: fc.Arbitrary<unknown>[] = [fc.constant(template)];
  if (paths.length > 0) {
    const path = fc.constantFrom(...paths);
    shaped.push(fc.tuple(path, wildValue).map(([p, v]) => setIn(template, p, v)));
    shaped.push(path.map((p) => setIn(template, p, remove)));
  }
  if (keys.length > 0) shaped.push(fc.tuple(...keys.map(() => wildValue)).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]]))));
  shaped.push(fc.tuple(wildString, wildValue).map(([k, v]) => ({ ...(template as Json), [k || 'extra']: v })));
  return fc.oneof(
    { weight: 6, arbitrary: fc.oneof(...shaped).map(jsonText) },
    { weight: 2, arbitrary: wildValue.map(jsonText) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 60 }).map(clean), fc.constantFrom('{', '{"a":}', '[1,]', '{"a":1}{', 'NaN', '\u00ff\u00fe', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}')) },
  );
}

/** A path parameter as it appears in the URL (already percent-encoded): the real one, or a wild one. */
export function pathParam(real: string): fc.Arbitrary<string> {
  const encoded = wildString.map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80'; // A lone surrogate has no UTF-8: send the bytes a careless encoder would.
    }
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(real) },
    fc.uuid(),
    encoded,
    fc.constantFrom('..', '.', '%2e%2e', '%2F', '%ff%fe', '%E2%82', `${real}x`, real.toUpperCase(), real.slice(0, -1), `${real}%20`, ...(sendControlCharacters ? ['%00', `${real}%00`] : [])),
  );
}

/** A query string: the route's own keys and some others, with wild values, or a malformed one. */
export function queryString(keys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys, 'mine', 'q', 'orderId', 'format', 'bucket', 'to'), wildString);
  const pair = fc.tuple(key, wildString).map(([k, v]) => {
    try {
      return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
    } catch {
      return 'q=%ED%A0%80';
    }
  });
  return fc.oneof(
    fc.constant(''),
    fc.array(pair, { minLength: 1, maxLength: 4 }).map((p) => `?${p.join('&')}`),
    fc.constantFrom('?', '?&&', '?=', '?q', '?q=%', '?q=%ff', '?mine=1&mine=0', '?format=csv', '?bucket=year', '?orderId=..'),
  );
}

/** A header value fetch can send: printable ASCII. */
export const headerValue = fc.oneof(fc.uuid(), fc.string({ unit: 'grapheme-ascii', maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim()), fc.constantFrom('', 'x'.repeat(1_000)));
