import { clusterShards, startBenchCluster } from '../cluster.ts';
import { progress } from '../progress.ts';
import type { Check, ResultRow, ScenarioReport } from '../report_types.ts';
import { failoverRow, checkInventory, measureFailover } from './forward_failover.ts';
import { forwardedCheck, measureHolds, ownerForwardedNothing } from './forward_holds.ts';
import { forwardSettings, type ForwardSettings } from './forward_settings.ts';
import { ownerOfShard, preflight, prepare } from './forward_setup.ts';
import type { BenchOptions, Scenario } from './index.ts';

/**
 * Scenario `forward`: what it costs to enter the cluster through a node that
 * does not own the event's shard, and how long a shard is out of service when
 * its owner dies.
 *
 * A private redis-server, then `--nodes` nodes (default 2) in cluster mode
 * (REDIS_URL, TICKR_SHARDS=16), sharing one PostgreSQL: the first node's
 * embedded one, or DATABASE_URL. One event; its shard's owner is read from
 * the lease key `<prefix>lease:<shard>` in Redis. Then, in one run:
 *
 * 1. direct: autocannon holds against the owner; forwarded: the same load
 *    against a non-owner, which forwards each hold over the internal port.
 *    Its `tickr_forwarded_total` must grow by about the holds it answered.
 * 2. failover: `--kills` times (default 10, --quick 3), with a light load of
 *    holds through the surviving nodes, `kill -9` the shard's owner, time
 *    the kill to the first hold sent after it that answers 201, restart the
 *    node (same NODE_ID, ports, folder) and wait until every shard has one
 *    owner again. Last, sold + held <= capacity, and no 201 hold lost.
 *
 * Expected numbers, a sketch to compare against, not a measurement: on a
 * 2-core Linux box with autocannon on the same machine at 100 connections,
 * direct holds run near the `holds` scenario's single node, a little lower
 * (a second node, Redis and lease renewals share the cores): ~3-6k req/s,
 * p50 ~10-25 ms, ~200-300 µs of CPU a hold with PostgreSQL counted in.
 * Forwarded holds add, on the entry node, a msgpack frame to the owner and
 * its answer back over loopback TCP (frames batched per event-loop turn),
 * while the owner skips HTTP and the token check: ~+40-120 µs of CPU a hold,
 * so ~0.7-0.9 of the direct rate when the box is CPU-bound (the target is
 * >= 0.6), p50 a few ms higher. Failover: the survivor drops the dead node
 * from placement after its membership TTL (5 s, heartbeats every second),
 * takes the shard once the dead node's lease lapses (TTL 5 s, renewed every
 * ~1.5 s, so it lapses 3.5-5 s after the kill) and loads the event from its
 * snapshot and journal: ~5-7 s from kill to the first 201, median ~5.5 s,
 * max under 2 × TTL = 10 s (the target). Never an oversell, never a lost 201.
 *
 * This file runs the phases and sums them up; beside it: forward_settings.ts
 * (settings, targets), forward_setup.ts (the event, buyers, preflight),
 * forward_holds.ts (phase 1), forward_failover.ts (phase 2 and the final
 * inventory check). The cluster itself is ../cluster.ts, shared with
 * `queue --nodes`.
 */
export const forward: Scenario = { run };

/** The figures that sum a run up: rates against the targets, failover against the lease TTL. */
export function summaryFigures(rows: ResultRow[], failover: ReturnType<typeof failoverRow>, settings: ForwardSettings): ScenarioReport['figures'] {
  const figures: ScenarioReport['figures'] = {};
  for (const c of settings.connections) {
    const direct = rows.find((r) => r.name === 'direct' && r.connections === c);
    const forwarded = rows.find((r) => r.name === 'forwarded' && r.connections === c);
    if (!direct || !forwarded) continue;
    const ratio = direct.rps > 0 ? Math.round((forwarded.rps / direct.rps) * 1000) / 1000 : null;
    figures[`forwarded/direct req/s c=${c}`] = ratio;
    figures[`target forwarded/direct >= ${settings.ratioTarget} c=${c}`] = ratio === null ? 'n/a' : ratio >= settings.ratioTarget ? 'met' : 'MISSED';
  }
  const boundMs = settings.failoverTtls * settings.leaseTtlMs;
  figures['failover median ms'] = failover.medianMs as number | null;
  figures['failover max ms'] = failover.maxMs as number | null;
  figures['failover kills'] = `${failover.recovered} of ${failover.kills} recovered`;
  figures['lease TTL ms'] = settings.leaseTtlMs;
  const max = failover.maxMs as number | null;
  figures[`target failover max <= ${settings.failoverTtls} × TTL = ${boundMs} ms`] = max === null ? 'MISSED (a kill did not recover)' : max <= boundMs ? 'met' : 'MISSED';
  return figures;
}

async function run(opts: BenchOptions): Promise<ScenarioReport> {
  const settings = forwardSettings(opts);
  const tag = Date.now().toString(36);
  const cluster = await startBenchCluster(settings, opts, tag);
  const checks: Check[] = [];
  const notes: string[] = [];
  const results: ResultRow[] = [];
  let figures: ScenarioReport['figures'] = {};
  try {
    const first = cluster.members[0]!.server;
    if (first.embeddedPostgres && !first.postgresFound) notes.push('the embedded PostgreSQL was not found under the data folder: its CPU is not counted');
    if (!first.embeddedPostgres) notes.push('PostgreSQL from DATABASE_URL: its CPU is not counted in CPU µs/req');
    const setup = await prepare(cluster, settings, tag);
    const ownerId = await ownerOfShard(setup);
    const owner = cluster.member(ownerId);
    const entry = cluster.running().find((m) => m.nodeId !== ownerId)!;
    progress(`event ${setup.eventId}: shard ${setup.shard}, owned by ${ownerId}; forwarded holds enter through ${entry.nodeId}`);
    await preflight(setup, owner, 'direct');
    await preflight(setup, entry, 'forwarded');

    for (const connections of settings.connections) {
      const direct = await measureHolds(setup, 'direct', owner, owner, connections, notes);
      const forwarded = await measureHolds(setup, 'forwarded', entry, owner, connections, notes);
      results.push(direct.row, forwarded.row);
      checks.push(forwardedCheck(forwarded.row, connections), ownerForwardedNothing(direct.row, owner.nodeId, connections));
    }

    const failover = await measureFailover(setup);
    const row = failoverRow(failover.timesMs, settings.leaseTtlMs, failover.load);
    results.push(row);
    const recovered = row.recovered as number;
    checks.push({
      name: 'every kill recovered',
      ok: recovered === settings.kills,
      detail: `${recovered} of ${settings.kills} kills answered a 201 hold through another node within ${settings.recoveryDeadlineMs / 1000} s`,
    });
    checks.push(...(await checkInventory(setup)));
    checks.push({ name: 'every minted token accepted', ok: setup.refused === 0, detail: `${setup.refused} holds answered 401 in the measured runs` });
    figures = summaryFigures(results, row, settings);
    figures['event shard'] = `${setup.shard} of ${clusterShards}, owner ${ownerId}, forwarded through ${entry.nodeId}`;
    figures.nodes = settings.nodes;
    figures.buyers = setup.pool.size;
    figures.buyerSetupMs = setup.buyerSetupMs;
    notes.push(
      'direct/forwarded CPU µs/req: every node process (and what runs below it) plus the embedded PostgreSQL; the JSON rows split it by node (nodeCpuUsPerReq)',
      `failover row: req/s, p50/p99, errors and non-2xx are the light load's (${settings.lightLoops} clients, ${settings.thinkMs} ms pause) through the surviving nodes over all kills, outages included; the failover times are medianMs/maxMs/timesMs`,
    );
  } catch (error) {
    progress(`stopping the cluster; the node logs stay at ${cluster.members.map((m) => m.server.logFile).join(', ')}`);
    await cluster.stop({ keepLog: true });
    throw error;
  }
  progress('stopping the cluster');
  await cluster.stop();
  return { scenario: 'forward', results, checks, figures, notes };
}
