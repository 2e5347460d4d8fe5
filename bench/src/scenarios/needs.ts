import type { ScenarioReport } from '../report.ts';

/**
 * The routes a scenario needs, asked of the running node before anything is
 * measured. A route the node does not have answers 404 `not_found` (the
 * router's answer for an unknown path); anything else (401, 400, 404
 * `hold_not_found`, 405) means the route is there. A scenario whose routes are
 * missing reports "not available: needs <route>" and measures nothing: no
 * figure is ever made up for an API that does not exist yet.
 */

export type RouteNeed = { method: 'GET' | 'POST'; path: string; issue: number; what: string };

/** True when the node routes `method path` (whatever it answers to this anonymous probe). */
export async function routeExists(baseUrl: string, need: Pick<RouteNeed, 'method' | 'path'>): Promise<boolean> {
  // Path parameters get a well-formed but unknown id, so the route matches and answers for itself.
  const path = need.path.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');
  const response = await fetch(baseUrl + path, {
    method: need.method,
    ...(need.method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
  });
  const text = await response.text();
  if (response.status !== 404) return true;
  try {
    const body = JSON.parse(text) as { error?: { code?: string } };
    return body.error?.code !== 'not_found';
  } catch {
    // A 404 with no JSON error is not the router's own: something answered.
    return true;
  }
}

/** The needs the node does not serve, in order. */
export async function missingRoutes(baseUrl: string, needs: RouteNeed[]): Promise<RouteNeed[]> {
  const missing: RouteNeed[] = [];
  for (const need of needs) if (!(await routeExists(baseUrl, need))) missing.push(need);
  return missing;
}

export function needText(need: RouteNeed): string {
  return `${need.method} ${need.path} (${need.what}, issue #${need.issue})`;
}

/** The report of a scenario that could not run: no rows, the reason in `status` and in a note. */
export function notAvailable(scenario: string, missing: RouteNeed[], notes: string[] = []): ScenarioReport {
  const status = `not available: needs ${missing.map(needText).join('; ')}`;
  return { scenario, results: [], checks: [], figures: { status }, notes: [...notes, `${status}. Nothing was measured; the scenario runs as soon as the node serves these routes.`] };
}

/** True for a report made by notAvailable(). */
export function isNotAvailable(report: ScenarioReport): boolean {
  return typeof report.figures.status === 'string' && report.figures.status.startsWith('not available');
}
