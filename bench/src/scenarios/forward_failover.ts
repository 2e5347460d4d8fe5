import { setTimeout as sleep } from 'node:timers/promises';
import { holdBody, holdHeaders, holdPath, oversellChecks } from '../hold_requests.ts';
import { progress } from '../progress.ts';
import type { Check, ResultRow } from '../report_types.ts';
import type { Member } from '../cluster.ts';
import { startTickr } from '../server.ts';
import { median, percentile } from '../stats.ts';
import { ApiError, getEvent, type EventView } from '../tickr_api.ts';
import { ownerOfShard, takeBuyers, type Setup } from './forward_setup.ts';
import { holdTtlSeconds, lightLoadBuyersPerKill } from './forward_settings.ts';

/**
 * The `forward` scenario's second phase: kill -9 the owner of the event's
 * shard under a light load through the other nodes, time the kill to the
 * first hold answered 201, restart it; last, count what was sold and held
 * (see forward.ts).
 */

export type LightLoadStats = { requests: number; errors: number; non2xx: number; durationS: number; latenciesMs: number[]; statusCodes: Record<string, number>; loops: number };

/**
 * The `failover` row: kill-to-first-201 times (null: no 201 before the
 * deadline), and, in the usual columns, the light load that ran through it
 * (its req/s, latencies and errors, outages included; no CPU figure).
 */
export function failoverRow(timesMs: (number | null)[], leaseTtlMs: number, load: LightLoadStats): ResultRow & Record<string, unknown> {
  const recovered = timesMs.filter((t): t is number => t !== null);
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    name: 'failover',
    rps: load.durationS > 0 ? load.requests / load.durationS : 0,
    p50: percentile(load.latenciesMs, 50) ?? 0,
    p99: percentile(load.latenciesMs, 99) ?? 0,
    errors: load.errors,
    cpuUsPerReq: null,
    non2xx: load.non2xx,
    requests: load.requests,
    connections: load.loops,
    medianMs: round(median(recovered)),
    // A kill that never recovered has no time: the max of the others would flatter it, so there is none.
    maxMs: recovered.length === timesMs.length && recovered.length > 0 ? round(Math.max(...recovered)) : null,
    kills: timesMs.length,
    recovered: recovered.length,
    leaseTtlMs,
    timesMs: timesMs.map(round),
    statusCodes: load.statusCodes,
  };
}

/**
 * Light load for the failover phase: `loops` clients, each sending a hold to
 * one of `targets` in turn, pausing thinkMs between answers. It remembers
 * the first 201 of a hold sent at or after the instant it is told to watch from.
 */
class LightLoad {
  targets: Member[] = [];
  tokens: string[] = [];
  private seq = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  readonly latenciesMs: number[] = [];
  readonly statusCodes: Record<string, number> = {};
  errors = 0;
  answered = 0;
  acknowledged = 0;
  private watchFrom = Infinity;
  private firstOkAt: number | null = null;
  private onOk: (() => void) | null = null;
  /** What came back during the watch, for the progress line. */
  watchCodes: Record<string, number> = {};

  constructor(
    private readonly setup: Setup,
    private readonly thinkMs: number,
  ) {}

  start(loops: number): void {
    this.startedAt = performance.now();
    this.loops = Array.from({ length: loops }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const targets = this.targets;
      if (targets.length === 0 || this.tokens.length === 0) {
        await sleep(this.thinkMs);
        continue;
      }
      const seq = this.seq++;
      const target = targets[seq % targets.length]!;
      const token = this.tokens[seq % this.tokens.length]!;
      const sentAt = performance.now();
      let code: string;
      try {
        const response = await fetch(`${target.server.url}${holdPath(this.setup)}`, {
          method: 'POST',
          headers: holdHeaders(token, `${this.setup.tag}-light-${seq}`),
          body: holdBody(this.setup),
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        code = String(response.status);
        this.answered++;
        this.latenciesMs.push(performance.now() - sentAt);
        this.statusCodes[code] = (this.statusCodes[code] ?? 0) + 1;
      } catch {
        code = 'no answer';
        this.errors++;
      }
      if (code === '201') this.acknowledged++;
      if (sentAt >= this.watchFrom) {
        this.watchCodes[code] = (this.watchCodes[code] ?? 0) + 1;
        if (code === '201' && this.firstOkAt === null) {
          this.firstOkAt = performance.now();
          this.onOk?.();
        }
      }
      await sleep(this.thinkMs);
    }
  }

  /** From `from` (performance.now()) on, wait for a 201 of a hold sent then or later; its answer's time, or null after deadlineMs. */
  async firstOkSince(from: number, deadlineMs: number): Promise<number | null> {
    this.watchFrom = from;
    this.firstOkAt = null;
    this.watchCodes = {};
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onOk = resolve;
      timer = setTimeout(resolve, Math.max(0, from + deadlineMs - performance.now()));
    });
    clearTimeout(timer);
    this.onOk = null;
    this.watchFrom = Infinity;
    return this.firstOkAt;
  }

  async stop(): Promise<LightLoadStats> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.stoppedAt = performance.now();
    return {
      requests: this.answered,
      errors: this.errors,
      non2xx: Object.entries(this.statusCodes).filter(([code]) => !code.startsWith('2')).reduce((n, [, c]) => n + c, 0),
      durationS: (this.stoppedAt - this.startedAt) / 1000,
      latenciesMs: this.latenciesMs,
      statusCodes: this.statusCodes,
      loops: this.loops.length,
    };
  }
}

export async function measureFailover(setup: Setup): Promise<{ timesMs: (number | null)[]; load: LightLoadStats }> {
  const { cluster, settings } = setup;
  const light = new LightLoad(setup, settings.thinkMs);
  const timesMs: (number | null)[] = [];
  let load: LightLoadStats;
  progress(`failover: ${settings.kills} kills of the owner of shard ${setup.shard}, lease TTL ${settings.leaseTtlMs} ms, light load of ${settings.lightLoops} clients`);
  light.start(settings.lightLoops);
  try {
    for (let k = 1; k <= settings.kills; k++) {
      light.tokens = await takeBuyers(setup, lightLoadBuyersPerKill);
      const victimId = await ownerOfShard(setup);
      const victim = cluster.member(victimId);
      light.targets = cluster.running().filter((m) => m !== victim);
      // Some load through the survivors first, and the kill at a random point of the lease's renewal cycle.
      await sleep(500 + Math.random() * 1_000);
      const killedAt = performance.now();
      await victim.server.crash();
      victim.up = false;
      const okAt = await light.firstOkSince(killedAt, settings.recoveryDeadlineMs);
      const ms = okAt === null ? null : okAt - killedAt;
      timesMs.push(ms);
      const codes = Object.entries(light.watchCodes).map(([c, n]) => `${c}×${n}`).join(', ');
      progress(`kill ${k}/${settings.kills}: ${victimId} killed; ${ms === null ? `NO 201 within ${settings.recoveryDeadlineMs / 1000} s` : `first 201 through ${light.targets.map((m) => m.nodeId).join('/')} after ${Math.round(ms)} ms`} (answers meanwhile: ${codes})`);
      const restartedAt = Date.now();
      victim.server = await startTickr({ spec: victim.server.spec });
      victim.up = true;
      const settleMs = await cluster.settle(`after restarting ${victimId}`);
      progress(`${victimId} restarted (pid ${victim.server.pid}) and the cluster settled in ${Date.now() - restartedAt} ms (settle ${settleMs} ms)`);
    }
  } finally {
    load = await light.stop();
    setup.acknowledged += light.acknowledged;
  }
  return { timesMs, load };
}

/** After everything: never more out than capacity, and every hold answered 201 still counted. */
export async function checkInventory(setup: Setup): Promise<Check[]> {
  let event: EventView | null = null;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const via = setup.cluster.running()[0]!;
    try {
      event = await getEvent(via.server.url, setup.eventId);
      break;
    } catch (error) {
      // 503: the shard is between owners for a moment.
      if (!(error instanceof ApiError) || error.status !== 503 || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
  const checks = oversellChecks(event.ticketTypes);
  const type = event.ticketTypes.find((t) => t.id === setup.typeId);
  const expiredMaybe = Date.now() - setup.firstHoldAt >= holdTtlSeconds * 1000;
  if (type && !expiredMaybe && type.capacity > setup.acknowledged) {
    const out = type.sold + type.held;
    // More than acknowledged is fine (a request that timed out, or died with a node, may still have placed its hold); fewer lost one.
    checks.push({ name: 'no acknowledged hold lost', ok: out >= setup.acknowledged, detail: `sold + held ${out} >= ${setup.acknowledged} holds answered 201, kills included` });
  }
  for (const check of checks) progress(`${check.ok ? 'ok' : 'FAIL'} ${check.name}: ${check.detail}`);
  return checks;
}
