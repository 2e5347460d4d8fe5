import { randomUUID } from 'node:crypto';
import type { Db } from '../../../engine/src/db/pool.ts';
import { durablePool, type Contender, type ContenderOptions, type HoldOutcome, type Verdict } from './contenders.ts';

/**
 * The floor of issue #12, the scratch design the issue measured: the stock in
 * memory (one counter per type), each hold appended to PostgreSQL through a
 * group commit. Holds that arrive while flushes are in flight wait for the
 * next one; up to `flushesInFlightMax` flushes at once, one connection and one
 * multi-row INSERT each, `synchronous_commit = on`. A hold is answered only
 * once its flush and every earlier flush are done (released in order). No
 * tokens, buyers, limits or expiry: what is left is what a durable hold
 * cannot do without, so Tickr's distance to it is its own overhead.
 *
 * `group-commit` runs it on the front's thread; `group-commit-worker`
 * (group_commit_worker.ts) in one worker thread, as Tickr's inventory actor.
 * `broken: true` answers a hold as soon as its counter is taken, before its
 * flush commits: the tests prove that the durability check catches it.
 */

/** Flushes in flight at once, each on its own connection (the scratch design). */
export const flushesInFlightMax = 4;

export type FloorCommand = { typeId: string; quantity: number; key: string };
/** 'failed': its flush did not commit (or the type is unknown): nothing is held. */
export type FloorOutcome = HoldOutcome | 'failed';
/** Answers for the holds tagged `T` (a callback, or a request number in the worker), a batch at a time. */
export type Reply<T> = (answers: [T, FloorOutcome][]) => void;

type Entry<T> = { holdId: string; command: FloorCommand; waiters: T[] };
type Flush<T> = { entries: Entry<T>[]; done: boolean; ok: boolean };

const insertHolds = `INSERT INTO bench_floor_holds (hold_id, type_id, qty, idem_key)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[])`;

export class GroupCommit<T> {
  /** Idempotency-Key -> its hold: the entry until its flush commits, then the hold id. */
  private readonly byKey = new Map<string, Entry<T> | string>();
  private pending: Entry<T>[] = [];
  /** In the order they started: answers are released from the head. */
  private readonly inFlight: Flush<T>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly stock: Map<string, number>,
    private readonly reply: Reply<T>,
    private readonly broken = false,
  ) {}

  submit(commands: [T, FloorCommand][]): void {
    const now: [T, FloorOutcome][] = [];
    for (const [tag, command] of commands) {
      const known = this.byKey.get(command.key);
      if (typeof known === 'string') now.push([tag, { holdId: known }]);
      else if (known) known.waiters.push(tag);
      else this.take(tag, command, now);
    }
    if (now.length > 0) this.reply(now);
    this.schedule();
  }

  /** Resolves once nothing is pending or in flight (the front stops after this). */
  async idle(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private take(tag: T, command: FloorCommand, now: [T, FloorOutcome][]): void {
    const left = this.stock.get(command.typeId);
    if (left === undefined) return void now.push([tag, 'failed']);
    if (left < command.quantity) return void now.push([tag, 'sold_out']);
    this.stock.set(command.typeId, left - command.quantity);
    const entry: Entry<T> = { holdId: randomUUID(), command, waiters: [tag] };
    if (this.broken) {
      now.push([tag, { holdId: entry.holdId }]);
      entry.waiters = [];
    }
    this.byKey.set(command.key, entry);
    this.pending.push(entry);
  }

  /** At the end of this event-loop turn, so that one flush takes every hold of the turn. */
  private schedule(): void {
    if (this.scheduled || this.pending.length === 0 || this.inFlight.length >= flushesInFlightMax) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.pending.length === 0 || this.inFlight.length >= flushesInFlightMax) return;
    const flush: Flush<T> = { entries: this.pending, done: false, ok: false };
    this.pending = [];
    this.inFlight.push(flush);
    const entries = flush.entries;
    const values = [entries.map((e) => e.holdId), entries.map((e) => e.command.typeId), entries.map((e) => e.command.quantity), entries.map((e) => e.command.key)];
    this.db
      .query({ name: 'bench-floor-flush', text: insertHolds, values })
      .then(
        () => (flush.ok = true),
        (error: unknown) => console.error(`flush of ${entries.length} holds failed: ${(error as Error).message}`),
      )
      .finally(() => {
        flush.done = true;
        this.release();
        this.schedule();
      });
  }

  /** Answers the done flushes at the head of the line; a failed one gives its tickets back. */
  private release(): void {
    while (this.inFlight[0]?.done) {
      const flush = this.inFlight.shift()!;
      const answers: [T, FloorOutcome][] = [];
      for (const entry of flush.entries) {
        const { typeId, quantity, key } = entry.command;
        if (flush.ok) this.byKey.set(key, entry.holdId);
        else {
          this.byKey.delete(key);
          this.stock.set(typeId, this.stock.get(typeId)! + quantity);
        }
        const outcome: FloorOutcome = flush.ok ? { holdId: entry.holdId } : 'failed';
        for (const tag of entry.waiters) answers.push([tag, outcome]);
      }
      if (answers.length > 0) this.reply(answers);
    }
  }
}

/** Drops and creates the floor's tables and one ticket type of `capacity`; returns its id. */
export async function prepareFloor(db: Db, capacity: number): Promise<{ typeId: string; capacity: number }> {
  await db.query('DROP TABLE IF EXISTS bench_floor_holds, bench_floor_types');
  await db.query('CREATE TABLE bench_floor_types (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), capacity int NOT NULL)');
  await db.query('CREATE TABLE bench_floor_holds (hold_id uuid PRIMARY KEY, type_id uuid NOT NULL, qty int NOT NULL, idem_key text NOT NULL)');
  const { rows } = await db.query<{ id: string }>('INSERT INTO bench_floor_types (capacity) VALUES ($1) RETURNING id::text AS id', [capacity]);
  return { typeId: rows[0]!.id, capacity };
}

/** Each type's stock as the front starts: its capacity less the holds already durable. */
export async function loadStock(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; left: number }>(
    `SELECT t.id::text AS id, t.capacity - coalesce(sum(h.qty), 0)::int AS left
       FROM bench_floor_types t LEFT JOIN bench_floor_holds h ON h.type_id = t.id GROUP BY t.id`,
  );
  return new Map(rows.map((r) => [r.id, r.left]));
}

/**
 * Oversell check: the durable holds add up to no more than capacity. With
 * `acknowledged` (the 201s the load got), also that every one is durable:
 * at least that many rows (more is fine: a hold whose client gave up still commits).
 */
export async function checkFloor(db: Db, typeId: string, acknowledged?: number): Promise<Verdict> {
  const { rows } = await db.query<{ capacity: number; holds: number; held: number }>(
    `SELECT t.capacity, count(h.hold_id)::int AS holds, coalesce(sum(h.qty), 0)::int AS held
       FROM bench_floor_types t LEFT JOIN bench_floor_holds h ON h.type_id = t.id WHERE t.id = $1 GROUP BY t.id`,
    [typeId],
  );
  const t = rows[0];
  if (!t) return { ok: false, detail: `ticket type ${typeId} not found` };
  const durable = acknowledged === undefined || t.holds >= acknowledged;
  const answered = acknowledged === undefined ? '' : `, ${t.holds} rows >= ${acknowledged} answered 201`;
  return { ok: t.held <= t.capacity && durable, detail: `holds sum ${t.held} (${t.holds} holds) <= capacity ${t.capacity}${answered}` };
}

/** `group-commit`: the floor on the front's own thread. */
export async function groupCommitContender(url: string, opts: ContenderOptions = {}): Promise<Contender & { close: () => Promise<void> }> {
  const db = durablePool(url, flushesInFlightMax);
  type Settle = (outcome: FloorOutcome) => void;
  const floor = new GroupCommit<Settle>(db, await loadStock(db), (answers) => answers.forEach(([settle, outcome]) => settle(outcome)), opts.broken);
  return {
    hold: (typeId, quantity, key) =>
      new Promise((resolve, reject) => {
        const settle: Settle = (o) => (o === 'failed' ? reject(new Error('not held: its flush failed or the type is unknown')) : resolve(o));
        floor.submit([[settle, { typeId, quantity, key }]]);
      }),
    close: async () => {
      await floor.idle();
      await db.end();
    },
  };
}
