import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../engine/src/testing/db.ts';
import { journalBreaks, staleWrites } from './verify.ts';

/* The chaos run's journal checks, on journals written by hand: they must see what they are there to see. */

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function journal(rows: [seqFrom: number, seqTo: number, epoch: number][]): Promise<string> {
  const eventId = randomUUID();
  for (const [from, to, epoch] of rows) {
    await t.db.query('INSERT INTO inventory_journal (event_id, seq_from, seq_to, shard, epoch, entries) VALUES ($1, $2, $3, 0, $4, $5)', [eventId, from, to, epoch, Buffer.alloc(1)]);
  }
  return eventId;
}

describe('chaos checks on the journal', () => {
  it('finds no stale write or break in one history whose epochs only grow', async () => {
    await t.db.query('DELETE FROM inventory_journal');
    await journal([[1, 3, 1], [4, 4, 1], [5, 9, 2], [10, 10, 4]]);
    expect(await staleWrites(t.db)).toEqual([]);
    expect(await journalBreaks(t.db)).toBe(0);
  });

  it('names a row of an older epoch after the first row of a newer one', async () => {
    await t.db.query('DELETE FROM inventory_journal');
    const id = await journal([[1, 3, 1], [4, 6, 2], [7, 7, 1], [8, 8, 2]]);
    expect(await staleWrites(t.db)).toEqual([`event ${id} seq 7 at epoch 1 after a row of epoch 2`]);
  });

  it('counts gaps and overlaps in seqs', async () => {
    await t.db.query('DELETE FROM inventory_journal');
    await journal([[1, 3, 1], [5, 6, 1], [6, 8, 2]]);
    expect(await journalBreaks(t.db)).toBe(2);
  });
});
