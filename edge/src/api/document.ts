import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { commonErrors, errorSchema, key, openapiPath, paramNames, type Auth, type RouteDoc } from './describe.ts';
import { routeTable } from './table.ts';

/**
 * The OpenAPI 3.1 document of the edge, built from the route table alone
 * (edge/src/api/table.ts).
 */

const securitySchemes = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The token of POST /api/auth/signin or /signup (HS256), as "Authorization: Bearer <token>". It carries the account\'s role; a password or role change voids older tokens.' },
  metricsToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <TICKR_METRICS_TOKEN>`: for a Prometheus scraper that reaches /metrics through a proxy.' },
  loopback: { type: 'apiKey', in: 'header', name: 'X-Forwarded-For', description: 'Not a header to send: a process on the node\'s own machine, talking to the edge directly (no proxy hop), is let in without a token.' },
  stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature', description: 'Stripe\'s signature of the raw body with STRIPE_WEBHOOK_SECRET (t=<time>,v1=<HMAC-SHA256>).' },
} as const;

function security(auth: readonly Auth[]): Record<string, string[]>[] {
  return auth.map((a) => (a === 'none' ? {} : { [a]: [] }));
}

function responses(doc: RouteDoc): ZodOpenApiResponsesObject {
  const out: Record<string, object> = {};
  for (const [status, a] of Object.entries(doc.answers)) {
    const content: Record<string, { schema: z.ZodType }> = {};
    if (a.schema !== undefined) content['application/json'] = { schema: a.schema };
    if (a.text !== undefined) content[a.text.split(';')[0]!] = { schema: z.string() };
    out[status] = {
      description: a.description,
      ...(Object.keys(content).length > 0 ? { content } : {}),
      ...(a.headers ? { headers: Object.fromEntries(Object.entries(a.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
    };
  }
  for (const [status, codes] of Object.entries(commonErrors(doc))) {
    out[status] = { description: `Refused: ${codes.map((c) => `\`${c}\``).join(', ')}.`, content: { 'application/json': { schema: errorSchema(codes) } } };
  }
  return out as ZodOpenApiResponsesObject;
}

function operation(doc: RouteDoc): ZodOpenApiOperationObject {
  const path = paramNames(doc.pattern).length === 0 ? undefined
    : z.object(Object.fromEntries(paramNames(doc.pattern).map((n) => [n, z.string().meta({ description: doc.params![n]! })])));
  const roles = doc.roles === undefined ? '' : `\n\n**Roles:** ${doc.roles.join(', ')}.`;
  const when = doc.mountedWhen === undefined ? '' : `\n\n**Mounted only when** ${doc.mountedWhen}.`;
  return {
    operationId: `${doc.method}${doc.pattern.replace(/[/:{}.-]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [doc.tag],
    summary: doc.summary,
    description: `${doc.description ?? ''}${roles}${when}`.trim(),
    security: security(doc.auth),
    ...(path || doc.query || doc.headers ? { requestParams: { ...(path ? { path } : {}), ...(doc.query ? { query: doc.query } : {}), ...(doc.headers ? { header: doc.headers } : {}) } } : {}),
    ...(doc.body ? {
      requestBody: {
        required: doc.body.kind !== 'optional',
        ...(doc.body.description ? { description: doc.body.description } : {}),
        content: { 'application/json': { schema: doc.body.schema } },
      },
    } : {}),
    responses: responses(doc),
  };
}

export function buildDocument(table: readonly RouteDoc[] = routeTable) {
  const paths: ZodOpenApiPathsObject = {};
  for (const doc of table) (paths[openapiPath(doc.pattern)] ??= {})[doc.method] = operation(doc);
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tickr API',
      version: '1',
      description: 'Ticket sales for high-demand drops. Every error has one shape: `{ "error": { "code", "message" } }`; `message` says what to fix. '
        + 'Money is integer minor units with the event\'s currency. The WebSocket of the virtual queue (`/api/events/{id}/queue/live`) is described in the README.',
    },
    components: { securitySchemes },
    paths,
  });
}

/** The document of the routes a node mounted (a production node has no simulated payments; bench routes are optional), as JSON text. */
export function documentJsonOf(mounted: readonly { method: string; pattern: string }[]): string {
  const keys = new Set(mounted.map((m) => key(m.method, m.pattern)));
  return JSON.stringify(buildDocument(routeTable.filter((d) => keys.has(key(d.method, d.pattern)))));
}
