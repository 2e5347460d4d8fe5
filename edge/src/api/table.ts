import { key, paramNames, type RouteDoc } from './describe.ts';
import { accountRoutes } from './routes/accounts.ts';
import { cancellationRoutes } from './routes/cancellation.ts';
import { checkinRoutes } from './routes/checkin.ts';
import { eventRoutes } from './routes/events.ts';
import { opsRoutes } from './routes/ops.ts';
import { orderRoutes } from './routes/orders.ts';
import { promoRoutes } from './routes/promo.ts';
import { queueRoutes } from './routes/queue.ts';

/**
 * The route table: every HTTP route of the edge, described (see describe.ts).
 * A new route is one entry in the file of its area under ./routes/ (or a new
 * file, added to this list); until it has one, the router refuses to mount it.
 */
export const routeTable: readonly RouteDoc[] = [
  ...accountRoutes,
  ...eventRoutes,
  ...cancellationRoutes,
  ...orderRoutes,
  ...promoRoutes,
  ...checkinRoutes,
  ...queueRoutes,
  ...opsRoutes,
];

const byKey = new Map<string, RouteDoc>();
for (const doc of routeTable) {
  const k = key(doc.method, doc.pattern);
  if (byKey.has(k)) throw new Error(`${k} is described twice in the route table (edge/src/api/routes/)`);
  const named = Object.keys(doc.params ?? {});
  const inPath = paramNames(doc.pattern);
  if (named.join() !== inPath.join()) throw new Error(`${k}: describe its path parameters ${inPath.join(', ') || '(none)'} in \`params\`, in that order`);
  byKey.set(k, doc);
}

/** The description of a route, or undefined. */
export function describedRoute(method: string, pattern: string): RouteDoc | undefined {
  return byKey.get(key(method, pattern));
}

/** What the router asks before it mounts a route. */
export function isDescribed(method: string, pattern: string): boolean {
  return byKey.has(key(method, pattern));
}
