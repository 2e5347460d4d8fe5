import type { ScenarioReport } from '../report.ts';
import type { BenchOptions, Scenario } from './index.ts';
import { notAvailable } from './needs.ts';

export const flashSale: Scenario = { run };

async function run(_opts: BenchOptions): Promise<ScenarioReport> {
  return notAvailable('flash-sale', [{ method: 'POST', path: '/api/holds/:id/checkout', what: 'checkout', issue: 5 }]);
}
