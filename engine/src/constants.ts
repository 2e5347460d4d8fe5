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
/**
 * Journal flushes a worker keeps in flight at once, one connection each:
 * commits that reach Postgres together share one WAL fsync, so throughput is
 * no longer one batch per commit latency. Answers still leave in flush order
 * (worker/group_commit.ts). Four reached the front's pace on 2 cores; more
 * cost connections and smaller batches for little.
 */
export const flushesInFlightDefault = 4;
export const flushesInFlightMax = 16;
/**
 * While a flush is in flight, another starts only once this many entries
 * wait: each statement costs Postgres a fixed share of CPU, so a busy worker
 * keeps batches large, and a quiet one flushes one batch at a time as before.
 */
export const flushPipelineEntriesMin = 32;
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

/** Opened event signing keys kept per process; an evicted one is reopened from Postgres (one decrypt). */
export const eventKeysCachedMax = 10_000;
/** A ticket can be reissued this many times: the secret's version is one byte. */
export const ticketVersionMax = 255;
/** One offline sync carries at most this many scans; a scanner with more sends several. */
export const checkinSyncScansMax = 500;
/** Check-in lists per event: one per gate or ticket type is plenty. */
export const checkinListsPerEventMax = 100;
/** Manual look-up answers at most this many tickets: staff refine the name rather than scroll. */
export const checkinLookupMax = 50;
/** The dev mail outbox shows this many most recent emails. */
export const devMailListMax = 200;
/** The conflicts page shows this many most recent conflicts; the stats count them all. */
export const checkinConflictsListMax = 500;

// ---- jobs (pg-boss) and payments -------------------------------------------

/** A job is tried this many more times, with exponential backoff from the delay, then dead-lettered. */
export const jobRetryLimit = 8;
export const jobRetryDelaySeconds = 2;
/** A job running longer than this is taken for dead (its worker crashed) and retried. */
export const jobExpireSeconds = 5 * 60;
/** Jobs fetched per poll and run at once per worker loop: throughput in a sell-out without one slow job blocking the rest. */
export const jobBatchSize = 50;
/** Worker loops per queue and node. */
export const jobWorkersPerQueue = 2;
/** pg-boss polls at least this often when idle (0.5 s is its floor). */
export const jobPollingSeconds = 0.5;
/** Completed jobs leave the job table this soon, so it stays small in a big sale; the archive keeps them a day. */
export const jobArchiveCompletedSeconds = 60;
export const jobArchiveDeleteSeconds = 24 * 60 * 60;
/** Clictopay: poll a payment's status this often, this many times (the return may never come). */
export const clictopayPollSeconds = 30;
export const clictopayPollsMax = 40;
/** Provider calls (Stripe, Clictopay) give up after this long; the job retries. */
export const paymentCallTimeoutMs = 15_000;
/** A Stripe webhook older than this is refused (replay protection; Stripe's own default). */
export const stripeWebhookToleranceSeconds = 300;
/** Lists of orders answer at most this many. */
export const ordersListMax = 200;

assert(expiryTickMs * 4 <= holdTtlMsMin, 'expiry granularity must be small against the shortest hold');
assert(snapshotEveryEntries > flushEntriesMax, 'a snapshot spans at least one flush');
