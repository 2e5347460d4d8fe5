import { randomUUID } from 'node:crypto';
import { Packr } from 'msgpackr';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAccount } from '../db/accounts.ts';
import { insertEvent } from '../db/events.ts';
import type { Hold, JournalEntry } from '../inventory/types.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { readJournal } from '../testing/journal.ts';
import { encodeSnapshot } from './codec.ts';
import { raiseEpochs } from './epochs.ts';
import { emptyBatch, FencedError, flushBatch, type Batch } from './flush.ts';
import { cutAtGap, recoverEvent } from './load.ts';
import { writeSnapshot } from './snapshot_write.ts';
import { SnapshotWriter } from '../worker/snapshot_writer.ts';

const shard = 9;

describe('recovery cuts the journal at a gap', () => {
  let t: TestDatabase;
  let client: pg.Client;
  let buyer: string;
  let organizer: string;
  beforeAll(async () => {
    t = await freshDatabase();
    client = new pg.Client({ connectionString: t.url });
    await client.connect();
    organizer = (await insertAccount(t.db, { email: `o-${randomUUID()}@t.test`, passwordHash: 'x', name: 'O', role: 'organizer' }))!.id;
    buyer = (await insertAccount(t.db, { email: `b-${randomUUID()}@t.test`, passwordHash: 'x', name: 'B', role: 'participant' }))!.id;
  });
  afterAll(async () => {
    await client.end();
    await t.drop();
  });

  async function newEvent(): Promise<{ eventId: string; typeId: string }> {
    const eventId = randomUUID();
    const event = await insertEvent(t.db, organizer, {
      id: eventId, name: 'E', venue: 'V', startsAt: new Date(Date.now() + 86_400_000), endsAt: null, saleStartsAt: null, saleEndsAt: null,
      currency: 'EUR', perBuyerLimit: 10, holdTtlSeconds: 300, ticketTypes: [{ name: 'GA', price: 1_000, capacity: 10 }],
    }, shard);
    return { eventId, typeId: event.ticketTypes[0]!.id };
  }

  /** A batch of one event: a hold placed at `seq` and confirmed at `seq + 1`, with its ticket. */
  function placeAndConfirm(epoch: number, eventId: string, typeId: string, seq: number): { batch: Batch; ticketId: string } {
    const hold: Hold = { holdId: `h${seq}`, typeId, qty: 1, buyer, price: 1_000, placedAt: 0, expiresAt: 1, key: null };
    const ticketId = randomUUID();
    const entries: JournalEntry[] = [
      { eventId, seq, body: { kind: 'hold_placed', hold } },
      { eventId, seq: seq + 1, body: { kind: 'hold_confirmed', holdId: hold.holdId, ticketIds: [ticketId] } },
    ];
    const batch = emptyBatch();
    batch.epochs.set(shard, epoch);
    for (const entry of entries) batch.rows.push({ shard, entry });
    batch.tickets.push({ id: ticketId, eventId, typeId, holdId: hold.holdId, buyerId: buyer, price: 1_000, currency: 'EUR' });
    return { batch, ticketId };
  }

  const ticketExists = async (id: string) => (await t.db.query('SELECT 1 FROM tickets WHERE id = $1', [id])).rowCount === 1;

  it('finds the first gap after the snapshot, whatever the row sizes', () => {
    const row = (from: number, to: number) => ({ seq_from: from, seq_to: to, entries: Buffer.alloc(0) });
    expect(cutAtGap([row(1, 2), row(3, 5), row(8, 9), row(10, 10)], 0)).toMatchObject({ kept: [row(1, 2), row(3, 5)], orphans: [row(8, 9), row(10, 10)] });
    expect(cutAtGap([row(4, 7), row(8, 8)], 5)).toMatchObject({ kept: [row(4, 7), row(8, 8)], orphans: [] });
    expect(cutAtGap([row(9, 9)], 5)).toMatchObject({ kept: [], orphans: [row(9, 9)] });
  });

  it('drops the batches committed after a missing one, and the tickets they issued, then lets the new owner write those seqs again', async () => {
    const { eventId, typeId } = await newEvent();
    const old = (await raiseEpochs(t.db, [shard], 'a')).get(shard)!;
    const first = placeAndConfirm(old, eventId, typeId, 1);
    const third = placeAndConfirm(old, eventId, typeId, 5); // seqs 3-4 were in a flush that never committed
    await flushBatch(client, first.batch);
    await flushBatch(client, third.batch);
    const epoch = (await raiseEpochs(t.db, [shard], 'b')).get(shard)!;

    const recovered = await recoverEvent(t.db, eventId, shard, epoch);
    expect(recovered.tail.map((e) => e.seq)).toEqual([1, 2]);
    expect(recovered.truncatedEntries).toBe(2);
    expect((await readJournal(t.db, eventId)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await ticketExists(first.ticketId)).toBe(true);
    expect(await ticketExists(third.ticketId)).toBe(false);

    await flushBatch(client, placeAndConfirm(epoch, eventId, typeId, 3).batch);
    await flushBatch(client, placeAndConfirm(epoch, eventId, typeId, 5).batch);
    expect((await readJournal(t.db, eventId)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads the tail after the snapshot and cuts only past it', async () => {
    const { eventId, typeId } = await newEvent();
    const old = (await raiseEpochs(t.db, [shard], 'a')).get(shard)!;
    await flushBatch(client, placeAndConfirm(old, eventId, typeId, 1).batch);
    await flushBatch(client, placeAndConfirm(old, eventId, typeId, 3).batch);
    await writeSnapshot(client, { eventId, shard, epoch: old, seq: 2, state: encodeSnapshot({ seq: 2, types: [], holds: [], bought: [] }) });
    await flushBatch(client, placeAndConfirm(old, eventId, typeId, 7).batch);
    const epoch = (await raiseEpochs(t.db, [shard], 'b')).get(shard)!;
    const recovered = await recoverEvent(t.db, eventId, shard, epoch);
    expect(recovered.tail.map((e) => e.seq)).toEqual([3, 4]);
    expect((await readJournal(t.db, eventId)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('recovers from a snapshot row of either version, written before #12 or by the snapshot writer, plus the journal after it', async () => {
    for (const version of [1, 2]) {
      const { eventId, typeId } = await newEvent();
      const epoch = (await raiseEpochs(t.db, [shard], 'a')).get(shard)!;
      const first = placeAndConfirm(epoch, eventId, typeId, 1);
      const open: Hold = { holdId: 'h-open', typeId, qty: 2, buyer, price: 1_000, placedAt: 0, expiresAt: 1, key: 'k-open' };
      first.batch.rows.push({ shard, entry: { eventId, seq: 3, body: { kind: 'hold_placed', hold: open } } });
      await flushBatch(client, first.batch);
      const state = { seq: 3, types: [{ typeId, capacity: 10, sold: 1 }], holds: [open], bought: [[buyer, 1]] as [string, number][], refunded: [] };
      if (version === 1) {
        await writeSnapshot(client, { eventId, shard, epoch, seq: 3, state: new Packr({ useRecords: false, moreTypes: false }).pack(state) });
      } else {
        const errors: unknown[] = [];
        const writer = new SnapshotWriter(client, (error) => errors.push(error));
        writer.add({ eventId, shard, epoch, seq: 3, state }, 0, 0);
        while (writer.busy) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(errors).toEqual([]);
        expect(writer.written).toBe(1);
      }
      await flushBatch(client, placeAndConfirm(epoch, eventId, typeId, 4).batch);
      const recovered = await recoverEvent(t.db, eventId, shard, (await raiseEpochs(t.db, [shard], 'b')).get(shard)!);
      expect(recovered.snapshot, `version ${version}`).toEqual(state);
      expect(recovered.tail.map((e) => e.seq)).toEqual([4, 5]);
    }
  });

  it('refuses to cut for an owner whose epoch moved on, and cuts nothing', async () => {
    const { eventId, typeId } = await newEvent();
    const stale = (await raiseEpochs(t.db, [shard], 'a')).get(shard)!;
    await flushBatch(client, placeAndConfirm(stale, eventId, typeId, 1).batch);
    await flushBatch(client, placeAndConfirm(stale, eventId, typeId, 5).batch);
    await raiseEpochs(t.db, [shard], 'b');
    await expect(recoverEvent(t.db, eventId, shard, stale)).rejects.toBeInstanceOf(FencedError);
    expect((await readJournal(t.db, eventId)).map((e) => e.seq)).toEqual([1, 2, 5, 6]);
  });
});
