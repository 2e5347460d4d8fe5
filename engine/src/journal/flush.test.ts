import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import type { JournalEntry } from '../inventory/types.ts';
import { raiseEpochs } from './epochs.ts';
import { emptyBatch, FencedError, flushBatch, type Batch } from './flush.ts';
import { selectJournalAfter } from './load.ts';

function capacityEntry(eventId: string, seq: number): JournalEntry {
  return { eventId, seq, body: { kind: 'capacity_changed', typeId: randomUUID(), capacity: seq } };
}

function batchOf(shard: number, epoch: number, entries: JournalEntry[]): Batch {
  const batch = emptyBatch();
  batch.epochs.set(shard, epoch);
  for (const entry of entries) batch.rows.push({ shard, entry });
  return batch;
}

describe('journal flush fencing', () => {
  let t: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    t = await freshDatabase();
    client = new pg.Client({ connectionString: t.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await t.drop();
  });

  it('commits a batch whose epoch is current', async () => {
    const epoch = (await raiseEpochs(t.db, [1], 'a')).get(1)!;
    const eventId = randomUUID();
    await flushBatch(client, batchOf(1, epoch, [capacityEntry(eventId, 1), capacityEntry(eventId, 2)]));
    expect((await selectJournalAfter(t.db, eventId, 0)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('refuses a batch from an owner whose epoch was raised, and writes none of it', async () => {
    const stale = (await raiseEpochs(t.db, [2], 'a')).get(2)!;
    await raiseEpochs(t.db, [2], 'b');
    const eventId = randomUUID();
    await expect(flushBatch(client, batchOf(2, stale, [capacityEntry(eventId, 1)]))).rejects.toBeInstanceOf(FencedError);
    expect(await selectJournalAfter(t.db, eventId, 0)).toEqual([]);
  });

  it('refuses the whole batch when only one of its shards moved on', async () => {
    const epochs = await raiseEpochs(t.db, [3, 4], 'a');
    await raiseEpochs(t.db, [4], 'b');
    const a = randomUUID();
    const b = randomUUID();
    const batch = batchOf(3, epochs.get(3)!, [capacityEntry(a, 1)]);
    batch.epochs.set(4, epochs.get(4)!);
    batch.rows.push({ shard: 4, entry: capacityEntry(b, 1) });
    const error = await flushBatch(client, batch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FencedError);
    expect((error as FencedError).shards).toEqual([4]);
    expect(await selectJournalAfter(t.db, a, 0)).toEqual([]);
  });

  it('fails a flush that waited behind an epoch raise which then committed', async () => {
    const stale = (await raiseEpochs(t.db, [5], 'a')).get(5)!;
    const raiser = new pg.Client({ connectionString: t.url });
    await raiser.connect();
    await raiser.query('BEGIN');
    await raiser.query(`UPDATE shard_epochs SET epoch = epoch + 1, owner = 'b' WHERE shard = 5`);
    const eventId = randomUUID();
    const flushing = flushBatch(client, batchOf(5, stale, [capacityEntry(eventId, 1)])).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the flush now waits on the row lock
    await raiser.query('COMMIT');
    await raiser.end();
    expect(await flushing).toBeInstanceOf(FencedError);
    expect(await selectJournalAfter(t.db, eventId, 0)).toEqual([]);
  });

  it('makes a raise wait for a flush holding the epoch row, so the new owner reads that flush', async () => {
    const epoch = (await raiseEpochs(t.db, [6], 'a')).get(6)!;
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM shard_epochs WHERE shard = 6 FOR SHARE');
    let raised = false;
    const raising = raiseEpochs(t.db, [6], 'b').then((e) => { raised = true; return e; });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(raised).toBe(false);
    await holder.query('COMMIT');
    await holder.end();
    expect((await raising).get(6)).toBe(epoch + 1);
  });
});
