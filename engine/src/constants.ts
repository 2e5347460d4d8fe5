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

/**
 * A peer connecting to the internal port must finish the cluster handshake
 * within this long or be closed: a real node answers in one round trip, and a
 * connection that says nothing must not hold a socket open.
 */
export const forwardHandshakeTimeoutMs = 2_000;
/**
 * Connections to the internal port still in their handshake, at most. Peers
 * need one each at a time (one per other node and per `tickr jobs`); beyond
 * it a new connection is closed at once, so a flood of idle connections costs
 * forwarding retries, not the file descriptors the edge needs too.
 */
export const forwardHandshakesMax = 128;
/** TICKR_CLUSTER_SECRET keys the handshake's HMAC; shorter secrets are guessable offline from one recorded handshake. */
export const clusterSecretLengthMin = 32;

/** Virtual shards: the unit of ownership. Changing it re-homes every event. */
export const shardCount = 64;

/** One hold may carry at most this many tickets, whatever the event's limit. */
export const holdQuantityMax = 50;
/** Per-buyer limit bounds: 0 would sell nothing, more than 100 is no limit. */
export const perBuyerLimitMax = 100;
/** Every type an event ever had counts, retired ones too: their sales stay on the event's pages and payout. */
export const ticketTypesPerEventMax = 50;
/** An event's description (#15): a few screens of plain text, enough for a programme; more belongs on a web page. */
export const eventDescriptionCharsMax = 5_000;
/** Event ids an edge remembers as published (one way, so never stale); cleared when full, which costs one query each. */
export const publishedIdsCacheMax = 100_000;
/** A postal address over a few lines. */
export const eventAddressCharsMax = 500;
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
/**
 * A busy worker starts a small flush no sooner than this after the last one
 * began (a full or pipelined one goes at once; a quiet worker, whose last
 * flush began longer ago, writes at once): each flush costs the worker and
 * Postgres a fixed share of CPU (statement, commit, answers across threads),
 * and a commit that returns in under a millisecond otherwise cut batches of
 * two or three entries. Bounds the wait it adds to a hold.
 */
export const flushIntervalMs = 2;
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

/**
 * Sign-in failures are counted per (account, address) and per address, never
 * per account alone: a stranger's wrong passwords slow the stranger down and
 * never lock the owner out. Past the free failures each further one doubles
 * the wait, from the base delay up to the cap; a quiet key is forgotten.
 */
export const signinFailuresFreePerPair = 5;
/** Higher than per pair: many people may share one address (a campus, a carrier's NAT). */
export const signinFailuresFreePerAddress = 20;
export const signinDelayBaseMs = 1_000;
export const signinDelayMaxMs = 15 * 60_000;
export const signinFailuresForgetMs = 60 * 60_000;

/** Sign-ups per client address per window (TICKR_SIGNUPS_PER_ADDRESS overrides the count). */
export const signupsPerAddressDefault = 20;
export const signupWindowMs = 10 * 60_000;

/**
 * Password hashes (scrypt on libuv's threadpool, 32 MiB and tens of ms each)
 * running at once. Kept below the threadpool's 4 threads and the machine's
 * cores, so a flood of sign-ups never takes every thread or core from the
 * requests that need neither (event reads, holds).
 */
export const passwordHashesInFlightMax = 2;
/** Hashes waiting for a slot; past it a sign-up or sign-in answers 503 `busy` with Retry-After. */
export const passwordHashWaitersMax = 64;

/**
 * An account's role, version and deletion are cached per node this long. A
 * token revoked on another node (password changed, account deleted, role
 * changed) keeps its old powers there for at most this long; on the node that
 * made the change, not at all (it forgets its entry at once). Ten seconds is
 * shorter than anyone can act on a revocation, and a hold placed in them
 * still has to be paid for by a signed-in buyer.
 */
export const accountCacheTtlMs = 10_000;
/**
 * How often each node reads the accounts changed lately (the change feed), so
 * a cached account state stays good past the TTL while the feed keeps up: a
 * revocation reaches every node within about this long.
 */
export const accountFeedPollMs = 1_000;
/** How far back each read of the feed looks before the last one: longer than any transaction that changes an account. */
export const accountFeedOverlapMs = 10_000;
export const accountCacheMax = 100_000;

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
/**
 * Group commit of payment successes (orders/pay_group.ts): at most this many
 * statements in flight a node, a quarter of the main pool, so the pays never
 * starve the requests beside them; notices arriving meanwhile wait and go
 * together, at most `payGroupSizeMax` to a statement.
 */
export const payGroupsInFlightMax = 4;
export const payGroupSizeMax = 100;
/** Succeeded payments claimed a sweep (orders/payment_sweep.ts): one transaction issues their tickets. */
export const paymentSweepSize = 100;
/** Sweeper loops a node; the first polls every `paymentSweepIdleMs` when nothing is waiting, the others `jobIdlePollFactorExtraWorkers` times slower. */
export const paymentSweepLoops = 2;
export const paymentSweepIdleMs = 200;
/** Jobs fetched per poll and run at once per worker loop: throughput in a sell-out without one slow job blocking the rest. */
export const jobBatchSize = 50;
/** Worker loops per queue and node. */
export const jobWorkersPerQueue = 2;
/** pg-boss polls at least this often when idle (0.5 s is its floor). */
export const jobPollingSeconds = 0.5;
/** A queue's other worker loops, when idle, poll this many times slower than its first: they matter only once it is busy. */
export const jobIdlePollFactorExtraWorkers = 4;
/** Dead-letter queues are polled this often when idle: an operator alert a few seconds later costs nothing, a poll every 0.5 s per queue does. */
export const deadLetterPollingSeconds = 5;
/** Completed jobs leave the job table this soon, so it stays small in a big sale; the archive keeps them a day. */
export const jobArchiveCompletedSeconds = 60;
export const jobArchiveDeleteSeconds = 24 * 60 * 60;
/** Redirect providers (Clictopay, Konnect): poll a payment's status this often, this many times (the return may never come). */
export const clictopayPollSeconds = 30;
export const clictopayPollsMax = 40;
/**
 * Konnect: a payment page lives as long as the longest hold, in minutes (its
 * `lifespan`): past it Konnect takes no more money, so a buyer cannot pay long
 * after the seats went back on sale (a payment just after the hold is the
 * late-payment path). A payment past its expirationDate by more than the grace
 * (clock skew between Konnect and us) is declined.
 */
export const konnectLifespanMinutes = Math.ceil(holdTtlMsMax / 60_000);
export const konnectExpiryGraceMs = 2 * 60_000;
/** Provider calls (Stripe, Clictopay, Konnect) give up after this long; the job retries. */
export const paymentCallTimeoutMs = 15_000;
/** A Stripe webhook older than this is refused (replay protection; Stripe's own default). */
export const stripeWebhookToleranceSeconds = 300;
/** Lists of orders answer at most this many. */
export const ordersListMax = 200;
/** GET /api/ops/refunds/manual answers at most this many (oldest first: the to-do list). */
export const manualRefundsListMax = 200;
/** /api/ops/status lists this many most recent open operator alerts; it counts them all. */
export const opsAlertsListMax = 50;

// ---- storefront server (storefront/serve.ts) -------------------------------

/** A browser sends a request's headers in one packet; ten seconds covers a slow phone link and cuts off a slowloris client that trickles them. */
export const webHeadersTimeoutMs = 10_000;
/** The largest body the storefront takes is a scanner's offline sync or a form; thirty seconds covers a slow upload of it. */
export const webRequestTimeoutMs = 30_000;
/** An idle kept-alive connection holds a file descriptor; a browser reopens one cheaply (Node's own default). */
export const webKeepAliveTimeoutMs = 5_000;
/** How often the server sweeps for requests past the two timeouts above; Node's 30 s default would let a stalled connection live four times longer. */
export const webTimeoutCheckMs = 1_000;
/**
 * Open connections at most: about a thousand browsers at once with their
 * usual handful each, more than one node's storefront serves behind a proxy.
 * Past it new connections are dropped at once, so a flood of them cannot use
 * up the process's file descriptors, which the edge and the database pools
 * share.
 */
export const webConnectionsMax = 8_192;
/** HSTS (behind TLS only): a year, the usual span; subdomains are left to the operator. */
export const webHstsMaxAgeSeconds = 365 * 24 * 3600;

assert(expiryTickMs * 4 <= holdTtlMsMin, 'expiry granularity must be small against the shortest hold');
assert(snapshotEveryEntries > flushEntriesMax, 'a snapshot spans at least one flush');
assert(webHeadersTimeoutMs <= webRequestTimeoutMs, 'Node refuses a headers timeout longer than the request timeout');
assert(webTimeoutCheckMs * 5 <= webHeadersTimeoutMs, 'the timeout sweep runs several times within the headers timeout');

/**
 * Action tokens (links sent by email, #11). A verification link is used within
 * the day it is asked for; a staff invite waits a few days for someone who is
 * not expecting it. Both are single use, and only their hash is stored.
 */
export const verifyEmailTokenTtlMs = 24 * 60 * 60_000;
export const setPasswordTokenTtlMs = 3 * 24 * 60 * 60_000;
/** Verification emails one account may ask for per window: each one is a real email sent. */
export const verifyEmailRequestsMax = 5;
export const verifyEmailRequestsWindowMs = 60 * 60_000;
/**
 * Password reset and email change links (#15). A reset link opens the account
 * to whoever reads the inbox, so it lives one hour; an email change link is
 * read at the new address, usually at once.
 */
export const resetPasswordTokenTtlMs = 60 * 60_000;
export const changeEmailTokenTtlMs = 24 * 60 * 60_000;
/**
 * Reset emails per address asked for and per client address per window: each
 * is a real email to someone who may not want it, and the answer never says
 * whether the address has an account, so the limit is the only brake.
 */
export const resetRequestsPerEmailMax = 3;
export const resetRequestsPerAddressMax = 20;
export const resetRequestsWindowMs = 60 * 60_000;
/**
 * The least time a reset request takes to answer, whether or not the email has
 * an account: the work differs (a token and an email, or nothing), the answer
 * must not tell them apart by its delay.
 */
export const resetAnswerFloorMs = 250;
/** Email change requests per account per window: each emails an address the account typed. */
export const emailChangeRequestsMax = 5;
export const emailChangeRequestsWindowMs = 60 * 60_000;
/** Staff invites one organizer may send per window: each one emails an address the organizer typed. */
export const staffInvitesMax = 50;
export const staffInvitesWindowMs = 60 * 60_000;
/** Accounts this node remembers as verified (a verified email stays verified); past it the memory starts over. */
export const verifiedAccountsCachedMax = 100_000;
/** An organizer's per-address hold cap: 1 would refuse two friends on one Wi-Fi, more than this is no cap. */
export const holdsPerAddressMaxMax = 10_000;

/**
 * Event dates (start, end, sale window) lie in these years: "0001" or "9999"
 * is a typo or a probe, never an event, and an event dated 0001 sorts first
 * in every list and sends reminders at once.
 */
export const eventYearMin = 2000;
export const eventYearMax = 2100;

// ---- SMS ------------------------------------------------------------------

/**
 * A text is at most two SMS parts (306 GSM-7 characters, 134 in Arabic's
 * UCS-2): carriers bill each part, and a third costs more than it tells.
 * A longer event name is shortened to fit (engine/src/sms/templates.ts).
 */
export const smsSegmentsMax = 2;
/** The dev SMS outbox shows this many most recent texts. */
export const devSmsListMax = 200;

/**
 * Event posters (#14). 5 MB holds a print-quality JPEG of a phone photo; more
 * is a raw camera file or a video, and the edge reads the whole body into
 * memory before it decodes it.
 */
export const posterBytesMax = 5 * 1024 * 1024;
/**
 * Decoded size bound: a 5 MB PNG of one colour can claim 30000 × 30000 pixels
 * (3.6 GB decoded). 40 megapixels is more than any phone camera takes.
 */
export const posterPixelsMax = 40_000_000;
/** Widths rendered for `srcset` (phone list, tablet or card, full page); narrower sources stop at their own width. */
export const posterWidthsPx = [320, 640, 1280] as const;
/** Quality of the WebP and JPEG renditions: indistinguishable on a poster, a third of the bytes of 90. */
export const posterWebpQuality = 80;
export const posterJpegQuality = 82;
/**
 * Posters decoded at once per node: decoding takes a core for a moment (sharp
 * runs on libuv's pool), so more at once only slows the ticket path; beyond it
 * an upload answers 503 with Retry-After.
 */
export const posterRendersMax = 2;
/** A served rendition never changes at its URL (its name is its content hash): browsers keep it a year. */
export const posterCacheMaxAgeSeconds = 365 * 24 * 60 * 60;
assert(posterWidthsPx.every((w, i) => i === 0 || w > posterWidthsPx[i - 1]!), 'poster widths ascend');

/*
 * Dead links. A blackholed link (a cut cable, a partition) answers nothing, so a
 * connection with a statement or command in flight waits on TCP retransmission
 * backoff, which after a 15 s cut can mean 10 s and more after the link is back
 * (seen in `npm run chaos`, partition-all). These bound that wait: the
 * connection is dropped and a new one made within a couple of seconds.
 */
/** A PostgreSQL statement unanswered this long fails and its connection is destroyed. A journal flush that times out is a failed flush (fatal, the worker is rebuilt from the journal), never a success. Well above a flush under load (tens of ms), below 2 lease TTLs. */
export const pgQueryTimeoutMs = 5_000;
/** A new PostgreSQL connection not up in this long fails (a SYN lost on a dead link is otherwise retried for ~2 min). */
export const pgConnectTimeoutMs = 2_000;
/** TCP keepalive on PostgreSQL connections, first probe after this much idle: an idle pooled connection to a vanished server is found dead. */
export const pgKeepAliveDelayMs = 1_000;
/** A Redis connection that got no byte back this long after a command is destroyed and reconnected (ioredis `socketTimeout`); a command timeout alone leaves later commands queued behind the stuck one. Above the lease and membership command timeouts. */
export const redisSocketTimeoutMs = 1_500;
/** A new Redis connection not up in this long fails and is retried. */
export const redisConnectTimeoutMs = 2_000;
/** A migration statement (or the wait for another node's migration lock) may take this long; the pool's `pgQueryTimeoutMs` is for requests. */
export const migrationStatementTimeoutMs = 60 * 60_000;
/** Statement timeout of the node's main pool (requests, jobs): looser than the workers' `pgQueryTimeoutMs`, as requests run heavier queries (exports, lists) on a loaded machine; still well under the 30 s request timeout. */
export const pgRequestQueryTimeoutMs = 10_000;
/**
 * A checkout that finds a promo code used up looks at this many of the code's
 * unpaid orders for lapsed holds to give their uses back (one engine call
 * each), so a refusal costs a bounded amount of work.
 */
export const promoReleaseScanMax = 50;
/** An event has at most this many promo codes (the organizer's list shows them all). */
export const promoCodesPerEventMax = 200;
/** A promo code's cap on uses is at most this (a code with no cap sends none). */
export const promoUsesMax = 1_000_000;

// ---- shard workers and actors ------------------------------------------------

/**
 * Closed holds `getHold` can still describe (how they ended). A ring written on
 * every close and scanned on the rare read: a Map of recent closes would cost
 * more than the rest of a release (its entries outlive the young generation).
 * Older history is in the journal, indexed by hold id.
 */
export const closedHoldsMax = 4_096;
/** Unknown event ids are remembered briefly, so a flood of them does not become a flood of queries. */
export const unknownEventTtlMs = 1_000;
/** Unknown event ids remembered at most: past it the memory is dropped whole (it is only a cache). */
export const unknownEventsMax = 100_000;
/** A shard worker's journal write connections idle this long are closed; busy ones stay open (a reconnect costs a few ms). */
export const writeConnectionIdleMs = 30_000;

// ---- cluster: membership, leases, forwarding ---------------------------------

/** Three heartbeats per TTL, so one lost heartbeat never drops a live node from placement. */
export const heartbeatMs = 1_000;
export const nodeTtlMs = 5_000;
/** A heartbeat or listing slower than this failed; the next heartbeat tries again. */
export const membershipCommandTimeoutMs = 1_000;
/**
 * A node stops serving a shard this long before its lease could lapse, as
 * seen from the moment it asked for the renewal: room for clock drift
 * between this node and Redis.
 */
export const leaseSafetyMarginMs = 500;
/** Past this a lease command has failed: the keeper must not count a renewal that arrives later. */
export const leaseCommandTimeoutMs = 500;
/** Reconnect attempts back off up to this, so a returning Redis is seen within a lease renewal or two. */
export const leaseReconnectDelayMaxMs = 500;
/** How long a node trusts what it learnt about another shard's owner. */
export const ownerCacheMs = 1_000;
/** How long the list of live nodes is trusted; a stale one costs a `shard_unavailable`, which the job retries. */
export const nodesCacheMs = 1_000;
/** A frame larger than this is refused: it closes the connection. Bounds what one peer can make us buffer. */
export const forwardFrameBytesMax = 8 * 1024 * 1024;
/** Commands a server runs at once for one connection; beyond it it answers `busy`, like a full mailbox. */
export const forwardInflightMax = 50_000;
/** Commands a client holds for one peer, queued or sent; beyond it `send` answers `busy`. */
export const forwardPendingMax = 50_000;
/** A forwarded command unanswered this long resolves `shard_unavailable`; the edge answers 503 and the buyer retries. */
export const forwardTimeoutMs = 5_000;
/** An unreachable peer is retried after this, doubling up to the max; sends in between fail at once. */
export const forwardBackoffMsMin = 50;
export const forwardBackoffMsMax = 1_000;
/** A connection not open after this is given up (a blackholed host would otherwise take minutes). */
export const forwardConnectTimeoutMs = 1_000;
assert(heartbeatMs * 3 <= nodeTtlMs, 'three heartbeats per node TTL');
assert(forwardConnectTimeoutMs + forwardHandshakeTimeoutMs < forwardTimeoutMs, 'a failed connect or handshake answers before the command times out');
assert(forwardBackoffMsMin <= forwardBackoffMsMax);

// ---- edge caches and checks --------------------------------------------------

/** A health check that waits longer than this for Postgres reports it unreachable. */
export const healthDbTimeoutMs = 1_000;
/** Verified tokens remembered at most this many; a full cache drops its oldest entry. */
export const tokenCacheMax = 50_000;
/** Keys tracked at most; past it, expired windows are swept, then the oldest is dropped. */
export const rateLimitKeysMax = 100_000;
/** An event with no end time shows in a calendar as this long: a zero-length entry is a sliver most calendars hide. */
export const calendarEventDurationDefaultMs = 2 * 60 * 60_000;
/** RFC 5545 §3.1: a content line is at most 75 octets before its line break; longer ones are folded. */
export const icsLineOctetsMax = 75;
