import { describe, expect, it } from 'vitest';
import type { SyncReply } from '../api.ts';
import { admittedHere, applySync, memoryStore, pendingByList, problems, toSyncScan, type ScanRecord } from './store.ts';

function scan(over: Partial<ScanRecord>): ScanRecord {
  return {
    id: Math.random().toString(36).slice(2), eventId: 'e1', listId: 'l1', secret: 'TK1:X', ticketId: 't1', scannedAt: '2027-01-01T20:00:00.000Z',
    gate: 'North', device: 'phone-1', mode: 'offline', admitted: true, outcome: 'valid', holderName: null, typeName: 'Standard', sync: 'pending', ...over,
  };
}

describe('offline scan store', () => {
  it('refuses a second admission of the same ticket on this device', () => {
    const records = [scan({ ticketId: 't1' }), scan({ ticketId: 't2', admitted: false, sync: 'none' })];
    expect(admittedHere(records, 't1')?.ticketId).toBe('t1');
    expect(admittedHere(records, 't2')).toBeNull();
  });

  it('groups pending scans per list, oldest first, and leaves synced and online ones out', () => {
    const records = [
      scan({ id: 'b', scannedAt: '2027-01-01T20:02:00Z' }),
      scan({ id: 'a', scannedAt: '2027-01-01T20:01:00Z' }),
      scan({ id: 'c', listId: 'l2' }),
      scan({ id: 'd', sync: 'synced' }),
      scan({ id: 'e', sync: 'none', mode: 'online' }),
    ];
    const pending = pendingByList(records);
    expect(pending.get('l1')!.map((r) => r.id)).toEqual(['a', 'b']);
    expect(pending.get('l2')!.map((r) => r.id)).toEqual(['c']);
    expect(toSyncScan(pending.get('l1')![0]!)).toEqual({ secret: 'TK1:X', scannedAt: '2027-01-01T20:01:00Z', gate: 'North', device: 'phone-1' });
  });

  it('writes the server\'s verdicts back and keeps conflicts in view', () => {
    const batch = [scan({ id: 'a', ticketId: 't1' }), scan({ id: 'b', ticketId: 't2' })];
    const conflict = { firstAt: '2027-01-01T19:59:00Z', firstGate: 'South', firstDevice: 'phone-2', secondAt: '2027-01-01T20:00:00Z', secondGate: 'North', secondDevice: 'phone-1' };
    const reply: SyncReply = {
      list: { id: 'l1', name: 'North' }, admitted: 1, duplicates: 0, conflicts: 1, refused: 0,
      results: [{ index: 0, outcome: 'admitted', ticketId: 't1', holderName: 'Amira' }, { index: 1, outcome: 'conflict', ticketId: 't2', holderName: 'Karim', conflict }],
    };
    const done = applySync(batch, reply);
    expect(done.map((r) => [r.sync, r.syncOutcome, r.holderName])).toEqual([['synced', 'admitted', 'Amira'], ['synced', 'conflict', 'Karim']]);
    expect(problems(done).map((r) => r.conflict?.firstGate)).toEqual(['South']);
  });

  it('keeps records across loads in its store', async () => {
    const store = memoryStore();
    await store.put([scan({ id: 'a' }), scan({ id: 'b', eventId: 'e2' })]);
    await store.put([scan({ id: 'a', sync: 'synced' })]);
    expect((await store.all('e1')).map((r) => [r.id, r.sync])).toEqual([['a', 'synced']]);
  });
});
