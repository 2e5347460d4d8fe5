import { z } from 'zod';
import type { Method } from '../http/route.ts';

/**
 * How a route is described. Every route the edge mounts has one entry in the
 * route table (edge/src/api/table.ts, one file per area under
 * edge/src/api/routes/): the router refuses to mount a route that has none,
 * and edge/src/api/openapi.test.ts compares the table with what a node
 * mounted. The OpenAPI document (GET /api/openapi.json) is built from the
 * table alone, and the request schemas in it are the very zod schemas the
 * handlers parse with, so the document cannot drift from the validation.
 *
 * An entry says, for one method and path:
 * - who may call it (`auth`: the ways to prove it, `roles`: which accounts);
 * - what it takes (`query`, `headers`, `body`: zod schemas, the ones the handler parses);
 * - what it answers (`answers`: status → zod schema of the body, or a text content type);
 * - how it refuses (`errors`: status → the `error.code`s it may answer with).
 *   The refusals every route shares are added for it (see `commonErrors`).
 */

/** The ways a caller proves who it is; each is an OpenAPI security scheme (see document.ts). */
export type Auth =
  /** Anyone. */
  | 'none'
  /** `Authorization: Bearer <JWT>` from sign-in or sign-up. */
  | 'bearer'
  /** `Authorization: Bearer <TICKR_METRICS_TOKEN>` (a Prometheus scraper through a proxy). */
  | 'metricsToken'
  /** A process on the node's machine talking to the edge directly, not through a proxy. */
  | 'loopback'
  /** `Stripe-Signature` over the raw body, with STRIPE_WEBHOOK_SECRET. */
  | 'stripeSignature';

export type Role = 'participant' | 'organizer' | 'staff' | 'operator' | 'admin';

export type Answer = {
  description: string;
  /** The JSON body; absent with `text` or for an empty answer (204, 303). */
  schema?: z.ZodType;
  /** A text answer's content type (metrics, CSV, HTML, JavaScript), instead of JSON. */
  text?: string;
  /** Response headers worth knowing (Location, Retry-After, Content-Disposition). */
  headers?: Record<string, string>;
};

export type RouteDoc = {
  method: Method;
  /** As mounted on uWebSockets.js: `/api/events/:id/holds`. */
  pattern: string;
  /** The group it is shown under in /api/docs. */
  tag: string;
  summary: string;
  description?: string;
  /** Alternatives: any one of them lets the caller in (then `roles` decide, for `bearer`). */
  auth: readonly Auth[];
  /** With `bearer`: the roles the route serves; others get 403 `forbidden`. Absent: any signed-in role. */
  roles?: readonly Role[];
  /** Path parameters: name → what it is. Every `:name` of the pattern needs one. */
  params?: Record<string, string>;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** `json`: the router parses the body (415/400 before the handler); `optional`: a body may be left out. */
  body?: { schema: z.ZodType; kind?: 'json' | 'optional' | 'raw'; description?: string };
  answers: Record<number, Answer>;
  errors?: Record<number, readonly string[]>;
  /** Mounted only in some configurations (e.g. TICKR_BENCH_ROUTES); said in the document. */
  mountedWhen?: string;
};

export const key = (method: string, pattern: string) => `${method.toUpperCase()} ${pattern}`;

/** The error codes a request body can get before the handler decides anything (http/route.ts, validation.ts parseBody). */
const bodyErrors = { 400: ['malformed_json', 'invalid_body', 'unknown_field', 'control_characters'], 413: ['body_too_large'], 415: ['unsupported_media_type'] };

/** The refusals a route shares with every route like it, added to its own `errors`. */
export function commonErrors(doc: RouteDoc): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  const add = (status: number, codes: readonly string[]) => {
    const list = (out[status] ??= []);
    for (const c of codes) if (!list.includes(c)) list.push(c);
  };
  if (doc.body !== undefined && doc.body.kind !== 'raw') for (const [s, c] of Object.entries(bodyErrors)) add(Number(s), c);
  if (doc.body?.kind === 'raw') add(413, ['body_too_large']);
  if (doc.body?.kind === 'optional') add(415, ['unsupported_media_type']);
  if (doc.params !== undefined) add(400, ['control_characters']);
  if (doc.query !== undefined) add(400, ['control_characters', 'invalid_query']);
  if (doc.auth.includes('bearer') && !doc.auth.includes('none')) {
    add(401, ['unauthenticated']);
    if (doc.roles !== undefined) add(403, ['forbidden']);
  }
  add(500, ['internal']);
  for (const [s, c] of Object.entries(doc.errors ?? {})) add(Number(s), c);
  return out;
}

/** The one error shape, with the codes one route answers for one status. */
export function errorSchema(codes: readonly string[]) {
  return z.object({
    error: z.object({
      code: z.enum(codes as [string, ...string[]]).meta({ description: 'What went wrong, for a program to branch on.' }),
      message: z.string().meta({ description: 'What went wrong and what to change, for a person.' }),
    }).catchall(z.unknown()).meta({ description: 'Some refusals add fields: `field` (the request field at fault), `detail`, `retryAfterSeconds`, `queue`, `bits`.' }),
  });
}

/** `/api/events/:id` → `/api/events/{id}`. */
export const openapiPath = (pattern: string) => pattern.replace(/:([A-Za-z]+)/g, '{$1}');

/** The path parameter names of a pattern, in order. */
export const paramNames = (pattern: string) => pattern.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
