import { holdTtlMsMax, leaseTtlMsDefault, perBuyerLimitMax } from '../../../engine/src/constants.ts';
import type { BenchOptions } from './index.ts';

/** The `forward` scenario's settings and targets (see forward.ts). */

/** Long enough that no hold expires during a run, so every 201 is still counted at the end. */
export const holdTtlSeconds = holdTtlMsMax / 1000;
export const perBuyerLimit = perBuyerLimitMax;
/** Fresh buyers for the light load, per kill: 100 holds each, far more than a kill's worth of light load. */
export const lightLoadBuyersPerKill = 100;

export type ForwardSettings = {
  nodes: number;
  kills: number;
  connections: number[];
  durationS: number;
  warmupS: number;
  capacity: number;
  /** TICKR_LEASE_TTL_MS the nodes get (the bench passes its environment on), or the engine's default. */
  leaseTtlMs: number;
  /** The light load during failover: this many clients in a loop, each pausing thinkMs between holds. */
  lightLoops: number;
  thinkMs: number;
  /** A kill with no 201 within this long counts as not recovered. */
  recoveryDeadlineMs: number;
  /** Targets: forwarded/direct req/s at least this; failover at most this many lease TTLs. */
  ratioTarget: number;
  failoverTtls: number;
};

/** The scenario's settings from the command line (and TICKR_LEASE_TTL_MS from the environment). */
export function forwardSettings(opts: BenchOptions, env: NodeJS.ProcessEnv = process.env): ForwardSettings {
  const rawTtl = env.TICKR_LEASE_TTL_MS;
  const leaseTtlMs = rawTtl ? Number(rawTtl) : leaseTtlMsDefault;
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 1_000 || leaseTtlMs > 60_000) {
    throw new Error(`TICKR_LEASE_TTL_MS must be an integer from 1000 to 60000, got "${rawTtl}"`);
  }
  return {
    nodes: opts.nodes ?? 2,
    kills: opts.kills ?? (opts.quick ? 3 : 10),
    connections: opts.connections,
    durationS: opts.durationS,
    warmupS: opts.warmupS,
    capacity: opts.capacity,
    leaseTtlMs,
    lightLoops: 4,
    thinkMs: 25,
    recoveryDeadlineMs: Math.max(60_000, 6 * leaseTtlMs),
    ratioTarget: 0.6,
    failoverTtls: 2,
  };
}
