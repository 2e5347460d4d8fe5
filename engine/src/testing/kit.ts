/**
 * The test kit: one place for what every workspace's tests (engine, edge,
 * node, bench, test/, storefront/e2e) do to arrange their world. Import
 * from here; each helper lives in the file named for it beside this one.
 *
 * - accounts: `signUp` (participant, organizer) and `signIn` (any role: the
 *   operator signs in with the account the node was configured with; staff
 *   come by invitation, see edge/src/testing/world.ts).
 * - events: `createEvent` with `eventDraft()`'s defaults, any field replaced.
 * - `startRedis`: REDIS_URL, or a redis-server of the caller's own on a free
 *   port, restartable, stopped and deleted by `stop()`.
 * - `spawnNode`: a real node process (`tickr start`), its output kept and
 *   optionally logged to a file, killed by `kill()` or when the test exits.
 * - `apiClient` (the helpers bound to one node) and `freePort`.
 *
 * Nothing here imports vitest, so `npm run chaos` and the run's global setup
 * use the kit too. Beside it, for vitest files: `freshDatabase` (db.ts), the
 * run's Redis and key prefixes (redis.ts), clusters (cluster.ts), and the
 * local doubles of the payment providers (payments/), which no production
 * code imports.
 */
export { signIn, signUp, testPassword, type SignUpOptions, type SignUpRole, type TestAccount } from './accounts.ts';
export { createEvent, eventDraft, type CreatedEvent, type TicketTypeSpec } from './events.ts';
export { callVia, expectStatus, httpCall, type Answer, type Call, type CallOptions, type OnAnswer, type Via } from './http.ts';
export { apiClient } from './api.ts';
export { startRedis, type RedisOptions, type TestRedis } from './redis_server.ts';
export { refusedNodeProcess, spawnNode, testClusterSecret, type NodeProcess, type NodeProcessOptions } from './node_process.ts';
export { freePort } from './ports.ts';
