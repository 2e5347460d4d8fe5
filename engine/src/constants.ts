import { assert } from './assert.ts';

/** A checkout must finish inside one hold; longer holds starve a drop. */
export const holdTtlMsDefault = 8 * 60_000;
/** Organizers may shorten or lengthen holds, within reason. */
export const holdTtlMsMin = 30_000;
export const holdTtlMsMax = 60 * 60_000;

/**
 * A shard lease lives this long and is renewed every third of it, so one lost
 * renewal never loses the shard; failover takes about one TTL.
 */
export const leaseTtlMsDefault = 5_000;

/** Virtual shards: the unit of ownership. Changing it re-homes every event. */
export const shardCount = 64;

/** One hold may carry at most this many tickets, whatever the event's limit. */
export const holdQuantityMax = 50;
/** Per-buyer limit bounds: 0 would sell nothing, more than 100 is no limit. */
export const perBuyerLimitMax = 100;
export const ticketTypesPerEventMax = 50;
export const capacityMax = 10_000_000;
/** Prices are minor units; 10^12 leaves headroom in a bigint column and in a JS number. */
export const priceMinorMax = 1_000_000_000_000;

/**
 * Group commit: a worker flushes its pending journal entries when the previous
 * flush returns (natural batching), or when this many entries wait, whichever first.
 */
export const flushEntriesMax = 2_000;
/** Snapshot an event every K journal entries, so recovery reads a bounded tail. */
export const snapshotEveryEntries = 5_000;

/** Idempotency answers are remembered per event at most this many, and this long. */
export const idempotencyKeysMax = 100_000;
export const idempotencyTtlMs = 24 * 60 * 60_000;

/** A worker holding more unanswered commands than this answers `busy`, it does not grow. */
export const mailboxDepthMax = 50_000;

/** Expiry is checked at this granularity; a hold lives at most this much past its TTL. */
export const expiryTickMs = 250;

/** Request bodies larger than this are refused before they are parsed. */
export const bodyBytesMax = 64 * 1024;

/** Sign-in attempts per email and per address within the window. */
export const signinAttemptsMax = 10;
export const signinWindowMs = 60_000;

export const tokenTtlSeconds = 12 * 60 * 60;

assert(expiryTickMs * 4 <= holdTtlMsMin, 'expiry granularity must be small against the shortest hold');
assert(snapshotEveryEntries > flushEntriesMax, 'a snapshot spans at least one flush');
