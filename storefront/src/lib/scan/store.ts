import type { SyncOutcome, SyncReply, SyncScan } from '../api.ts';

/**
 * What a scanner remembers: every scan it made, online or offline, in the
 * browser's IndexedDB, so a page reload or a dead battery loses nothing.
 * Offline admissions wait as `pending` until a sync; the server's verdict on
 * each (admitted, duplicate, conflict, refused) is written back beside it, so
 * a conflict stays on screen until staff have seen it.
 *
 * The rules are pure functions over a list of records (tested in node); the
 * IndexedDB part only loads and saves records.
 */
export type ScanRecord = {
  id: string;
  eventId: string;
  listId: string;
  /** What was scanned: the QR text, or a ticket id typed in. */
  secret?: string;
  ticketId: string | null;
  scannedAt: string;
  gate: string;
  device: string;
  mode: 'online' | 'offline';
  /** The answer staff saw at the door. */
  admitted: boolean;
  outcome: string;
  holderName: string | null;
  typeName: string | null;
  /** Offline admissions are pending until synced; online scans and offline refusals never sync. */
  sync: 'pending' | 'synced' | 'none';
  syncOutcome?: SyncOutcome;
  conflict?: NonNullable<SyncReply['results'][number]['conflict']>;
};

/** A sync sends at most this many scans (the edge takes 1 to 500). */
export const syncBatchMax = 500;

/** This device's earlier admission of the ticket, if any: a second offline scan of it is refused here. */
export function admittedHere(records: readonly ScanRecord[], ticketId: string): ScanRecord | null {
  return records.find((r) => r.ticketId === ticketId && r.admitted) ?? null;
}

/** Offline admissions not synced yet, per list, oldest first (the edge replays them in order). */
export function pendingByList(records: readonly ScanRecord[]): Map<string, ScanRecord[]> {
  const out = new Map<string, ScanRecord[]>();
  const pending = records.filter((r) => r.sync === 'pending').sort((a, b) => a.scannedAt.localeCompare(b.scannedAt));
  for (const r of pending) out.set(r.listId, [...(out.get(r.listId) ?? []), r]);
  return out;
}

export function toSyncScan(r: ScanRecord): SyncScan {
  return { ...(r.secret ? { secret: r.secret } : { ticketId: r.ticketId! }), scannedAt: r.scannedAt, gate: r.gate, device: r.device };
}

/** The server's answers written back onto the batch it answered (results carry the index in the batch). */
export function applySync(batch: readonly ScanRecord[], reply: SyncReply): ScanRecord[] {
  return batch.map((r, index) => {
    const result = reply.results.find((x) => x.index === index);
    if (!result) return r;
    return {
      ...r,
      sync: 'synced',
      syncOutcome: result.outcome,
      holderName: result.holderName ?? r.holderName,
      ...(result.conflict ? { conflict: result.conflict } : {}),
    };
  });
}

/** Synced scans the server did not admit as first: what staff must look at. */
export function problems(records: readonly ScanRecord[]): ScanRecord[] {
  return records.filter((r) => r.sync === 'synced' && r.syncOutcome !== 'admitted' && r.syncOutcome !== 'duplicate');
}

export type ScanStore = {
  all(eventId: string): Promise<ScanRecord[]>;
  put(records: ScanRecord[]): Promise<void>;
};

const dbName = 'tickr-scanner';
const storeName = 'scans';

/** IndexedDB where the browser has it; otherwise (private modes, tests) a store in memory. */
export async function openScanStore(): Promise<ScanStore> {
  if (typeof indexedDB === 'undefined') return memoryStore();
  const db = await new Promise<IDBDatabase | null>((resolve) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(storeName, { keyPath: 'id' });
      store.createIndex('eventId', 'eventId');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
  });
  if (db === null) return memoryStore();
  return {
    all: (eventId) => new Promise((resolve, reject) => {
      const request = db.transaction(storeName).objectStore(storeName).index('eventId').getAll(eventId);
      request.onsuccess = () => resolve((request.result as ScanRecord[]).sort((a, b) => a.scannedAt.localeCompare(b.scannedAt)));
      request.onerror = () => reject(request.error);
    }),
    put: (records) => new Promise((resolve, reject) => {
      const tx = db.transaction(storeName, 'readwrite');
      for (const r of records) tx.objectStore(storeName).put(plainCopy(r));
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    }),
  };
}

/** A plain copy (Svelte state proxies cannot be cloned into IndexedDB). */
function plainCopy(r: ScanRecord): ScanRecord {
  return JSON.parse(JSON.stringify(r)) as ScanRecord;
}

export function memoryStore(): ScanStore {
  const rows = new Map<string, ScanRecord>();
  return {
    all: async (eventId) => [...rows.values()].filter((r) => r.eventId === eventId).sort((a, b) => a.scannedAt.localeCompare(b.scannedAt)),
    put: async (records) => void records.forEach((r) => rows.set(r.id, { ...r })),
  };
}
