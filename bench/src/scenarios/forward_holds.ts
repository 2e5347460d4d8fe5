import { runOnce, type LoadResult, type LoadSpec } from '../autocannon_run.ts';
import { forwardedTotal, type Member } from '../cluster.ts';
import { holdLoad, stockLeft } from '../hold_requests.ts';
import { countdown, progress } from '../progress.ts';
import type { Check, ResultRow } from '../report_types.ts';
import { cpuSpent, type CpuSample } from '../server.ts';
import { ApiError } from '../tickr_api.ts';
import { takeBuyers, type Setup } from './forward_setup.ts';
import { perBuyerLimit } from './forward_settings.ts';
import { buyersFor } from './holds.ts';

/** The `forward` scenario's first phase: holds under autocannon straight to the owner, then through another node (see forward.ts). */

function cpuPerRequest(before: Map<string, CpuSample>, after: Map<string, CpuSample>, requests: number) {
  let total = 0;
  let postgres = 0;
  let measurable = false;
  const byNode: Record<string, number | null> = {};
  for (const [nodeId, b] of before) {
    const a = after.get(nodeId);
    if (!a) continue;
    const spent = cpuSpent(b, a);
    measurable ||= b.processUs > 0;
    total += spent.totalUs;
    postgres += spent.postgresUs;
    byNode[nodeId] = requests > 0 ? Math.round(((spent.processUs + spent.otherUs) / requests) * 10) / 10 : null;
  }
  const per = (us: number) => (measurable && requests > 0 ? us / requests : null);
  return { total: per(total), postgres: per(postgres), byNode: measurable ? byNode : {} };
}

/** Warm-up, then the measured run on fresh buyers, holds sent to `via`; CPU of every node and the forwarded counters around the measured part. */
export async function measureHolds(setup: Setup, name: 'direct' | 'forwarded', via: Member, owner: Member, connections: number, notes: string[]): Promise<{ row: ResultRow & Record<string, unknown> }> {
  const { settings, cluster } = setup;
  const spec = (tokens: string[], runTag: string, durationS: number): LoadSpec =>
    holdLoad(via.server.url, setup, { tokens, keyPrefix: `${setup.tag}-${runTag}`, connections, durationS });
  const left = () => stockLeft(via.server.url, setup, settings.capacity);
  const forWarm = buyersFor({ observedRps: null, durationS: settings.warmupS, available: await left(), connections, alreadyMade: setup.pool.size });
  const warmTokens = await takeBuyers(setup, forWarm.buyers);
  progress(`${name} c=${connections} via ${via.nodeId}: ${forWarm.buyers} buyers; ${settings.warmupS} s warm-up`);
  const warm = settings.warmupS > 0 ? await runOnce(spec(warmTokens, `${name}-w${connections}`, settings.warmupS)) : null;
  if ((warm?.statusCodes['401'] ?? 0) > 0) throw new ApiError(`${name} warm-up: ${via.nodeId} refused ${warm!.statusCodes['401']} holds with 401: it does not accept the tokens the bench minted`, 401, '');
  setup.acknowledged += warm?.statusCodes['201'] ?? 0;
  const sized = buyersFor({ observedRps: warm?.rps ?? null, durationS: settings.durationS, available: await left(), connections, alreadyMade: setup.pool.size });
  if (sized.capped) notes.push(`${name} c=${connections}: buyers capped: past ${sized.buyers * perBuyerLimit} holds, answers are 409 limit_reached`);
  const tokens = await takeBuyers(setup, sized.buyers);
  progress(`${name} c=${connections}: ${sized.buyers} buyers (warm-up ran ${Math.round(warm?.rps ?? 0)} req/s); ${settings.durationS} s measured`);

  const [viaBefore, ownerBefore] = await Promise.all([forwardedTotal(via.server), forwardedTotal(owner.server)]);
  const done = countdown(`${name} c=${connections}`, settings.durationS);
  const cpuBefore = cluster.cpu();
  let load: LoadResult;
  let cpuAfter: Map<string, CpuSample>;
  try {
    load = await runOnce(spec(tokens, `${name}-m${connections}`, settings.durationS));
    cpuAfter = cluster.cpu();
  } finally {
    done();
  }
  const [viaAfter, ownerAfter] = await Promise.all([forwardedTotal(via.server), forwardedTotal(owner.server)]);
  setup.acknowledged += load.statusCodes['201'] ?? 0;
  setup.refused += load.statusCodes['401'] ?? 0;
  const cpu = cpuPerRequest(cpuBefore, cpuAfter, load.requests);
  const others = Object.entries(load.statusCodes).filter(([code]) => code !== '201');
  if (others.length > 0) notes.push(`${name} c=${connections} answers other than 201: ${others.map(([code, n]) => `${code}×${n}`).join(', ')}`);
  progress(`${name} c=${connections}: ${Math.round(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, errors ${load.errors}, non-2xx ${load.non2xx}, CPU ${cpu.total === null ? 'n/a' : Math.round(cpu.total)} µs/req`);
  const row: ResultRow & Record<string, unknown> = {
    name,
    rps: load.rps,
    p50: load.p50,
    p99: load.p99,
    errors: load.errors,
    cpuUsPerReq: cpu.total,
    non2xx: load.non2xx,
    requests: load.requests,
    connections,
    pgCpuUsPerReq: cluster.members[0]!.server.postgresFound ? cpu.postgres : null,
    statusCodes: load.statusCodes,
    timeline: load.timeline,
    latency: load.latency,
    via: via.nodeId,
    owner: owner.nodeId,
    nodeCpuUsPerReq: cpu.byNode,
    // tickr_forwarded_total growth during the measured run: on the node the holds went to, and on the owner when that is another.
    forwardedViaNode: viaAfter - viaBefore,
    ...(via === owner ? {} : { forwardedByOwner: ownerAfter - ownerBefore }),
  };
  return { row };
}

/**
 * Forwarded: the entry node's counter grew by about the holds answered. A
 * hold still in flight when autocannon stops was forwarded but is not counted
 * as answered, so up to one per connection more (and a little slack).
 */
export function forwardedCheck(row: ResultRow & Record<string, unknown>, connections: number): Check {
  const grew = row.forwardedViaNode as number;
  const answered = row.requests ?? 0;
  const low = Math.floor(answered * 0.99);
  const high = answered + connections + Math.ceil(answered * 0.01);
  return {
    name: `tickr_forwarded_total counts the forwarded holds (c=${connections})`,
    ok: grew >= low && grew <= high,
    detail: `${row.via} forwarded ${grew} commands during the run; ${answered} holds answered (expected ${low}..${high})`,
  };
}

export function ownerForwardedNothing(row: ResultRow & Record<string, unknown>, ownerId: string, connections: number): Check {
  const grew = row.forwardedViaNode as number;
  return { name: `the owner forwards no direct hold (c=${connections})`, ok: grew === 0, detail: `${ownerId}'s tickr_forwarded_total grew by ${grew} during the direct run` };
}
