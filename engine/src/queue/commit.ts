import { assert } from '../assert.ts';
import { FencedError, fenceCtes, type Queryable } from '../journal/flush.ts';
import type { Outcome } from '../inventory/types.ts';
import type { QueueWrites } from './actor.ts';
import type { QueueStatus } from './types.ts';

type Pending = {
  epochs: Map<number, number>;
  joins: { eventId: string; seq: number; buyer: string; queueTicketId: string; joinedAt: number }[];
  /** Latest draw and head per event: later values of one batch replace earlier ones. */
  states: Map<string, { drawn: number | null; head: number | null }>;
};

function empty(): Pending {
  return { epochs: new Map(), joins: [], states: new Map() };
}

/*
 * One statement, one round trip, fenced like the journal flush
 * (journal/flush.ts): every write is conditional on every shard of the batch
 * still being at our epoch, with the epoch rows locked FOR SHARE so an epoch
 * raise waits for this commit or makes it write nothing. A place given by a
 * stale owner is therefore never durable, so never answered.
 */
const flushSql = `
WITH ${fenceCtes}, joins AS (
  INSERT INTO queue_places (event_id, seq, buyer_id, ticket_id, joined_at)
  SELECT j.event_id, j.seq, j.buyer_id, j.ticket_id, to_timestamp(j.at / 1000.0)
    FROM unnest($3::uuid[], $4::int[], $5::uuid[], $6::text[], $7::float8[]) AS j(event_id, seq, buyer_id, ticket_id, at)
   WHERE (SELECT ok FROM ok)
  RETURNING 1
), states AS (
  UPDATE queue_state s
     SET drawn_count = COALESCE(s.drawn_count, u.drawn),
         drawn_at = CASE WHEN s.drawn_count IS NULL AND u.drawn IS NOT NULL THEN now() ELSE s.drawn_at END,
         head = GREATEST(s.head, COALESCE(u.head, 0)),
         updated_at = now()
    FROM unnest($8::uuid[], $9::int[], $10::int[]) AS u(event_id, drawn, head)
   WHERE s.event_id = u.event_id AND (SELECT ok FROM ok)
  RETURNING 1
)
SELECT (SELECT ok FROM ok) AS ok, (SELECT count(*) FROM joins)::int AS joined, (SELECT count(*) FROM states)::int AS states`;

/**
 * Group commit for the queue actors of one worker: joins, the draw and head
 * moves wait here, and every queue answer is released only after the flush
 * that follows it commits. So a join is durable before its place is told, the
 * draw before any lottery place, and a head move before the admission it
 * allows. One flush at a time; what piles up meanwhile goes in the next.
 * A failed flush is fatal, like the journal's: the actors are ahead of the truth.
 *
 * Status changes (a head move, a new state) to push to the waiters ride the
 * same flush: `announce` gets them once what they show is durable, so no
 * waiter is told of a head that a crash could take back.
 */
export class QueueCommit {
  private batch = empty();
  private ids: number[] = [];
  private outcomes: Outcome[] = [];
  private notices: QueueStatus[] = [];
  private flushing = false;
  private dead = false;

  constructor(
    private readonly client: Queryable,
    private readonly release: (ids: number[], outcomes: Outcome[]) => void,
    private readonly onFatal: (error: unknown) => void,
    private readonly announce: (statuses: QueueStatus[]) => void = () => {},
  ) {}

  get depth(): number {
    return this.ids.length;
  }

  record(eventId: string, shard: number, epoch: number, writes: QueueWrites): void {
    const current = this.batch.epochs.get(shard);
    assert(current === undefined || current === epoch, `shard ${shard}: queue writes of epoch ${epoch} and ${current} in one batch`);
    this.batch.epochs.set(shard, epoch);
    for (const j of writes.joins) this.batch.joins.push({ eventId, ...j });
    if (writes.drawnCount !== null || writes.head !== null) {
      const prior = this.batch.states.get(eventId) ?? { drawn: null, head: null };
      this.batch.states.set(eventId, { drawn: writes.drawnCount ?? prior.drawn, head: writes.head ?? prior.head });
    }
  }

  answer(id: number, outcome: Outcome): void {
    this.ids.push(id);
    this.outcomes.push(outcome);
  }

  /** A status to push once the writes recorded so far are durable. */
  notice(status: QueueStatus): void {
    this.notices.push(status);
  }

  schedule(): void {
    if (this.flushing || this.dead) return;
    if (this.ids.length === 0 && this.batch.epochs.size === 0 && this.notices.length === 0) return;
    this.flushing = true;
    setImmediate(() => void this.flush());
  }

  async drain(): Promise<void> {
    while (this.flushing || this.ids.length > 0 || this.batch.epochs.size > 0 || this.notices.length > 0) {
      if (this.dead) return;
      this.schedule();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    const ids = this.ids;
    const outcomes = this.outcomes;
    const notices = this.notices;
    this.batch = empty();
    this.ids = [];
    this.outcomes = [];
    this.notices = [];
    if (batch.epochs.size > 0) {
      try {
        await flushQueue(this.client, batch);
      } catch (error) {
        this.dead = true;
        this.onFatal(error);
        return;
      }
    }
    if (ids.length > 0) this.release(ids, outcomes);
    if (notices.length > 0) this.announce(notices);
    this.flushing = false;
    this.schedule();
  }
}

async function flushQueue(client: Queryable, batch: Pending): Promise<void> {
  const shards = [...batch.epochs.keys()];
  const states = [...batch.states];
  const result = await client.query<{ ok: boolean; joined: number; states: number }>({
    name: 'tickr_queue_flush',
    text: flushSql,
    values: [
      shards,
      shards.map((s) => batch.epochs.get(s)!),
      batch.joins.map((j) => j.eventId),
      batch.joins.map((j) => j.seq),
      batch.joins.map((j) => j.buyer),
      batch.joins.map((j) => j.queueTicketId),
      batch.joins.map((j) => j.joinedAt),
      states.map(([eventId]) => eventId),
      states.map(([, s]) => s.drawn),
      states.map(([, s]) => s.head),
    ],
  });
  const row = result.rows[0]!;
  if (!row.ok) throw new FencedError(shards);
  if (row.joined !== batch.joins.length || row.states !== states.length) {
    throw new Error(`queue flush wrote ${row.joined}/${batch.joins.length} places and ${row.states}/${states.length} states`);
  }
}
