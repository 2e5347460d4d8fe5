import { z } from 'zod';
import { devMailQuerySchema, devSmsQuerySchema, manualRefundDoneSchema, manualRefundsQuerySchema } from '../../validation.ts';
import { engineStatus, manualRefund, time } from '../answers.ts';
import type { RouteDoc } from '../describe.ts';

const tag = 'Operations';
const health = z.object({
  status: z.enum(['ok', 'unavailable']), db: z.boolean(),
  shards: z.object({ owned: z.number().int(), total: z.number().int() }),
  workers: engineStatus.shape.workers,
});
const stranger = { 401: ['unauthenticated'], 403: ['forbidden'] };

export const opsRoutes: RouteDoc[] = [
  {
    method: 'get', pattern: '/api/dev/sms', tag, auth: ['loopback', 'bearer'], summary: 'The dev SMS outbox (development only)',
    description: 'Every text rendered, newest first (200). A caller on this machine or a signed-in operator; in production (NODE_ENV=production) 404 to all.',
    query: devSmsQuerySchema,
    answers: {
      200: {
        description: 'The texts.', schema: z.object({
          texts: z.array(z.object({
            id: z.string(), to: z.string(), template: z.string(), locale: z.string(), body: z.string(), encoding: z.enum(['gsm7', 'ucs2']),
            segments: z.number().int(), status: z.string(), attempts: z.number().int(), lastError: z.string().nullable(),
            providerMessageId: z.string().nullable(), createdAt: time, sentAt: time.nullable(),
          })),
        }),
      },
    },
    errors: { ...stranger, 404: ['not_found'] },
  },
  {
    method: 'get', pattern: '/api/ops/refunds/manual', tag, auth: ['bearer'], roles: ['operator', 'admin'], summary: 'Manual refunds (operator)',
    description: 'Refunds a person must make from the provider\'s dashboard (Konnect has no refund API): the ones waiting (default) or done.',
    query: manualRefundsQuerySchema,
    answers: { 200: { description: 'At most 500, oldest first.', schema: z.object({ state: z.enum(['manual_required', 'done']), refunds: z.array(manualRefund) }) } },
  },
  {
    method: 'post', pattern: '/api/ops/refunds/manual/:orderId', tag, auth: ['bearer'], roles: ['operator', 'admin'], summary: 'Record a manual refund as made (operator)',
    description: 'With the provider\'s reference: the payment is marked refunded, the order refunded (tickets revoked, stock back, buyer told). The same reference again does nothing.',
    params: { orderId: 'The order id.' }, body: { schema: manualRefundDoneSchema },
    answers: { 200: { description: 'The manual refund, done; `applied` false when it was recorded before.', schema: manualRefund.extend({ applied: z.boolean() }) } },
    errors: { 404: ['manual_refund_not_found'], 409: ['manual_refund_done'] },
  },
  {
    method: 'get', pattern: '/health', tag, auth: ['none'], summary: 'Is this node ready?',
    answers: {
      200: { description: 'Ready.', schema: health },
      503: { description: 'Not ready (database unreachable, or shards not served yet); retry.', schema: health, headers: { 'retry-after': '1' } },
    },
  },
  {
    method: 'get', pattern: '/metrics', tag, auth: ['loopback', 'metricsToken', 'bearer'], summary: 'Prometheus metrics',
    description: 'A scraper on this machine talking to the edge directly, a scraper sending `Authorization: Bearer <TICKR_METRICS_TOKEN>`, or a signed-in operator.',
    answers: { 200: { description: 'Prometheus text format.', text: 'text/plain; version=0.0.4; charset=utf-8' } },
    errors: stranger,
  },
  {
    method: 'get', pattern: '/api/ops/status', tag, auth: ['bearer'], roles: ['operator', 'admin'], summary: 'The operator\'s status page',
    description: 'Each part that cannot be read is null.',
    answers: {
      200: {
        description: 'This node, the shard owners, job backlog and open alerts.', schema: z.object({
          at: time, cluster: z.boolean(), self: engineStatus.extend({ queueWaiters: z.number().int() }),
          nodes: z.array(z.object({ nodeId: z.string(), shards: z.number().int(), lastRaisedAt: time.nullable() })),
          shards: z.array(z.object({ shard: z.number().int(), epoch: z.number().int(), owner: z.string().nullable(), raisedAt: time.nullable() })).nullable(),
          jobs: z.array(z.object({ name: z.string(), created: z.number().int(), scheduled: z.number().int(), retry: z.number().int(), active: z.number().int(), failed: z.number().int() })).nullable(),
          alerts: z.object({
            open: z.number().int(),
            recent: z.array(z.object({
              id: z.number().int(), key: z.string(), kind: z.string(), queue: z.string().nullable(), orderId: z.string().nullable(), message: z.string(),
              action: z.enum(['refund_queued', 'none']), occurrences: z.number().int(), createdAt: time, lastAt: time,
            })),
          }).nullable(),
          links: z.object({ metrics: z.string(), health: z.string() }),
        }),
      },
    },
  },
  {
    method: 'get', pattern: '/api/dev/mail', tag, auth: ['loopback', 'bearer'], summary: 'The dev outbox (development only)',
    description: 'Every email rendered, newest first. A caller on this machine or a signed-in operator; in production (NODE_ENV=production) 404 to all.',
    query: devMailQuerySchema,
    answers: {
      200: {
        description: 'The emails.', schema: z.object({
          emails: z.array(z.object({
            id: z.string(), to: z.string(), template: z.string(), locale: z.string(), subject: z.string(), text: z.string(), html: z.string(),
            status: z.enum(['queued', 'sent', 'outbox', 'failed']), attempts: z.number().int(), lastError: z.string().nullable(),
            providerMessageId: z.string().nullable(), createdAt: time, sentAt: time.nullable(),
          })),
        }),
      },
    },
    errors: { ...stranger, 404: ['not_found'] },
  },
  {
    method: 'get', pattern: '/bench/hello', tag: 'Benchmarks', auth: ['none'], summary: 'The edge\'s floor: routing and one write', mountedWhen: 'TICKR_BENCH_ROUTES=1',
    answers: { 200: { description: '"hello".', text: 'text/plain; charset=utf-8' } },
  },
  {
    method: 'get', pattern: '/bench/memory', tag: 'Benchmarks', auth: ['loopback'], summary: 'Memory after a full GC (the queue benchmark)', mountedWhen: 'TICKR_BENCH_ROUTES=1',
    description: 'Only a process on this machine talking to the edge directly: a forced GC stops the world.',
    answers: {
      200: {
        description: 'Bytes, and this node\'s WebSocket waiters.', schema: z.object({
          waiters: z.number().int(), publishMsMax: z.number(), rss: z.number().int(), heapTotal: z.number().int(), heapUsed: z.number().int(),
          external: z.number().int(), arrayBuffers: z.number().int(),
        }),
      },
    },
    errors: { 403: ['forbidden'] },
  },
  {
    method: 'get', pattern: '/api/openapi.json', tag: 'Documentation', auth: ['none'], summary: 'This document (OpenAPI 3.1)',
    answers: { 200: { description: 'The OpenAPI document, built from the route table.', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get', pattern: '/api/docs', tag: 'Documentation', auth: ['none'], summary: 'This document as a page to read',
    answers: { 200: { description: 'An HTML page (Scalar API reference, served by this node).', text: 'text/html; charset=utf-8' } },
  },
  {
    method: 'get', pattern: '/api/docs/scalar.js', tag: 'Documentation', auth: ['none'], summary: 'The viewer\'s script (Scalar\'s standalone bundle)',
    answers: { 200: { description: 'JavaScript.', text: 'text/javascript; charset=utf-8' } },
  },
];
