import type { z } from 'zod';
import { commonErrors, errorSchema, type RouteDoc } from './describe.ts';
import { routeTable } from './table.ts';

/**
 * Checks answers against the route table (edge/src/api/table.ts), so the
 * document cannot say one thing while the API does another. The integration
 * tests' client calls it for every answer (engine/src/testing/api.ts
 * `onAnswer`; wired in edge/src/testing/orders_node.ts, mail_node.ts and
 * the check-in test): an answer whose status the route does not describe,
 * whose body does not parse with the described schema, or that carries a
 * field the schema does not name, fails the test that got it.
 */

type Matcher = { doc: RouteDoc; re: RegExp };
const matchers: Matcher[] = routeTable.map((doc) => ({
  doc,
  re: new RegExp(`^${doc.pattern.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
}));

/** The described route a request reached, or undefined (the router's own 404/405). */
export function routeOf(method: string, url: string): RouteDoc | undefined {
  const path = url.split('?')[0]!;
  const m = method.toLowerCase();
  return matchers.find((x) => x.doc.method === m && x.re.test(path))?.doc;
}

/** The first field of `input` that `output` (the schema's parse of it) dropped: an answer field the description does not name. */
function undescribedField(input: unknown, output: unknown, at: string): string | null {
  if (Array.isArray(input) && Array.isArray(output)) {
    for (let i = 0; i < input.length; i++) {
      const found = undescribedField(input[i], output[i], `${at}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (input !== null && typeof input === 'object' && output !== null && typeof output === 'object') {
    for (const [k, v] of Object.entries(input)) {
      const here = at === '' ? k : `${at}.${k}`;
      if (!(k in output)) return here;
      const found = undescribedField(v, (output as Record<string, unknown>)[k], here);
      if (found !== null) return found;
    }
  }
  return null;
}

function schemaProblem(schema: z.ZodType, body: unknown): string | null {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || '(body)'}: ${issue.message}`;
  }
  const extra = undescribedField(body, parsed.data, '');
  return extra === null ? null : `field "${extra}" is not in the description`;
}

/** Null when the answer agrees with the route table; otherwise what differs. */
export function answerProblem(method: string, url: string, status: number, body: unknown, contentType: string): string | null {
  const doc = routeOf(method, url);
  if (doc === undefined) {
    // The router's own answers to a path or method it does not serve.
    if (status === 404) return schemaProblem(errorSchema(['not_found']), body);
    if (status === 405) return schemaProblem(errorSchema(['method_not_allowed']), body);
    return `${method} ${url} reached no described route, yet answered ${status}`;
  }
  const answer = doc.answers[status];
  if (answer !== undefined) {
    const type = contentType.split(';')[0]!.trim();
    if (answer.text !== undefined && type === answer.text.split(';')[0]) return null;
    if (answer.schema === undefined) return answer.text === undefined && (body === '' || body === undefined) ? null : `${status} has a body the description does not give`;
    if (type !== 'application/json') return `${status} came as ${contentType || 'no content type'}, described as JSON`;
    return schemaProblem(answer.schema, body);
  }
  const codes = commonErrors(doc)[status];
  if (codes === undefined) return `${status} is not described (answers: ${Object.keys(doc.answers).join(', ')}; errors: ${Object.keys(commonErrors(doc)).join(', ')})`;
  return schemaProblem(errorSchema(codes), body);
}

/** For apiClient's `onAnswer`: throws when the answer does not agree with the route table. */
export function checkAnswer(method: string, url: string, status: number, body: unknown, contentType: string): void {
  const problem = answerProblem(method, url, status, body, contentType);
  if (problem === null) return;
  const doc = routeOf(method, url);
  const where = doc === undefined ? '' : ` (edge/src/api/routes/: ${doc.method.toUpperCase()} ${doc.pattern})`;
  throw new Error(`The answer of ${method} ${url} (${status}) does not agree with its description${where}: ${problem}. Body: ${JSON.stringify(body).slice(0, 400)}`);
}
