import { ApiError, createApi, type CheckinListView, type EventKeysView } from '../api.ts';
import { checkOffline, importEventKey, splitSecret } from './secret.ts';
import { admittedHere, applySync, pendingByList, syncBatchMax, toSyncScan, type ScanRecord, type ScanStore } from './store.ts';

/**
 * The door's decisions, outside the page: online, the edge decides (one
 * conditional UPDATE, so two gates admit a ticket once); when the edge cannot
 * be reached, the scanner decides from what it cached (the event's public
 * key, its revocation list, the check-in lists) and from its own record of
 * what it admitted, then syncs later. Both paths end in one `Answer`.
 */
export type DoorKit = {
  keys: EventKeysView; lists: CheckinListView[]; types: { id: string; name: string }[]; cachedAt: string;
  /** The event's IANA zone: scan times are shown in it (a kit cached before #15 has none: the device's own zone). */
  timeZone?: string;
};

export type Outcome = 'valid' | 'already_used' | 'revoked' | 'forged' | 'wrong_event' | 'wrong_list' | 'malformed' | 'refused';
export type Answer = {
  ok: boolean; outcome: Outcome; mode: 'online' | 'offline';
  holderName: string | null; typeName: string | null; ticketId: string | null;
  usedAt?: string | null; usedGate?: string | null; message?: string;
};

export type Door = { eventId: string; listId: string; gate: string; device: string; store: ScanStore };

const api = () => createApi(fetch, '');
const kitKey = (eventId: string) => `tickr_scan_kit_${eventId}`;

export function cachedKit(eventId: string): DoorKit | null {
  try {
    const text = localStorage.getItem(kitKey(eventId));
    return text ? (JSON.parse(text) as DoorKit) : null;
  } catch {
    return null;
  }
}

/** Fresh key, revocations and lists from the edge, kept for offline use; the cached kit when the edge is out of reach. */
export async function refreshKit(eventId: string): Promise<{ kit: DoorKit | null; fresh: boolean }> {
  try {
    const a = api();
    const [keys, lists, event] = await Promise.all([a.eventKeys(eventId), a.checkinLists(eventId), a.event(eventId)]);
    const kit: DoorKit = { keys, lists: lists.lists, types: event.ticketTypes.map((t) => ({ id: t.id, name: t.name })), cachedAt: new Date().toISOString(), timeZone: event.timeZone };
    localStorage.setItem(kitKey(eventId), JSON.stringify(kit));
    return { kit, fresh: true };
  } catch {
    return { kit: cachedKit(eventId), fresh: false };
  }
}

/** Whether an answer means "the edge could not be asked", so the scanner decides alone. */
function unreachable(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 0 || e.code === 'unreachable' || e.status >= 500);
}

function record(door: Door, scanned: { secret?: string; ticketId: string | null }, answer: Answer, sync: ScanRecord['sync']): ScanRecord {
  return {
    id: crypto.randomUUID(), eventId: door.eventId, listId: door.listId, ...(scanned.secret ? { secret: scanned.secret } : {}),
    ticketId: scanned.ticketId, scannedAt: new Date().toISOString(), gate: door.gate, device: door.device, mode: answer.mode,
    admitted: answer.ok, outcome: answer.outcome, holderName: answer.holderName, typeName: answer.typeName, sync,
  };
}

async function offline(door: Door, kit: DoorKit | null, secret: string, records: readonly ScanRecord[]): Promise<Answer> {
  const base = { mode: 'offline' as const, holderName: null, typeName: null, ticketId: null };
  if (!kit) return { ...base, ok: false, outcome: 'refused', message: 'noKit' };
  const key = await importEventKey(kit.keys.publicKey);
  const verdict = await checkOffline(secret, key, door.eventId, kit.keys.revoked);
  const payload = verdict.payload;
  const typeName = payload ? kit.types.find((t) => t.id === payload.typeId)?.name ?? null : null;
  const answer = { ...base, typeName, ticketId: payload?.ticketId ?? null };
  if (!verdict.ok) return { ...answer, ok: false, outcome: verdict.reason };
  const list = kit.lists.find((l) => l.id === door.listId);
  if (list && list.typeIds.length > 0 && !list.typeIds.includes(verdict.payload.typeId)) return { ...answer, ok: false, outcome: 'wrong_list' };
  const earlier = admittedHere(records, verdict.payload.ticketId);
  if (earlier) return { ...answer, ok: false, outcome: 'already_used', usedAt: earlier.scannedAt, usedGate: earlier.gate, holderName: earlier.holderName };
  return { ...answer, ok: true, outcome: 'valid' };
}

/** The short code printed on a pass (the ticket id's first 8 hex digits): typed at the door, looked up online. */
export const passCodePattern = /^[0-9A-F]{8}$/i;

/**
 * One scan (QR text, a pass's short code typed in, or a ticket id from the
 * manual look-up), answered and recorded. `online` false skips the edge (the browser says it is offline).
 */
export async function scan(door: Door, kit: DoorKit | null, input: { secret?: string; ticketId?: string; code?: string }, online: boolean): Promise<{ answer: Answer; saved: ScanRecord }> {
  const secret = input.secret?.trim();
  const records = await door.store.all(door.eventId);
  if (online) {
    try {
      const which = secret ? { secret } : input.code !== undefined ? { code: input.code } : { ticketId: input.ticketId! };
      const reply = await api().checkin({ list: door.listId, ...which, gate: door.gate, device: door.device });
      const answer: Answer = {
        ok: reply.outcome === 'valid', outcome: reply.outcome, mode: 'online', holderName: reply.ticket?.holderName ?? null,
        typeName: reply.ticket?.typeName ?? null, ticketId: reply.ticket?.id ?? null, usedAt: reply.usedAt ?? null, usedGate: reply.gate ?? null,
      };
      const saved = record(door, { ...(secret ? { secret } : {}), ticketId: answer.ticketId ?? input.ticketId ?? null }, answer, 'none');
      await door.store.put([saved]);
      return { answer, saved };
    } catch (e) {
      if (!unreachable(e)) {
        const answer: Answer = { ok: false, outcome: 'refused', mode: 'online', holderName: null, typeName: null, ticketId: null, message: e instanceof ApiError ? e.message : String(e) };
        return { answer, saved: record(door, { ticketId: null }, answer, 'none') };
      }
    }
  }
  if (!secret) {
    // A typed-in ticket id or pass code carries no signature: offline, it cannot be told from a made-up one.
    const answer: Answer = { ok: false, outcome: 'refused', mode: 'offline', holderName: null, typeName: null, ticketId: input.ticketId ?? null, message: 'manualNeedsNetwork' };
    return { answer, saved: record(door, { ticketId: input.ticketId ?? null }, answer, 'none') };
  }
  const answer = await offline(door, kit, secret, records);
  const saved = record(door, { secret, ticketId: answer.ticketId ?? splitSecret(secret)?.payload.ticketId ?? null }, answer, answer.ok ? 'pending' : 'none');
  await door.store.put([saved]);
  return { answer, saved };
}

/** Sends the offline admissions, list by list, in batches; the records with the server's verdicts, or null when the edge is out of reach. */
export async function syncPending(store: ScanStore, eventId: string): Promise<ScanRecord[] | null> {
  const done: ScanRecord[] = [];
  for (const [listId, pending] of pendingByList(await store.all(eventId))) {
    for (let at = 0; at < pending.length; at += syncBatchMax) {
      const batch = pending.slice(at, at + syncBatchMax);
      try {
        const reply = await api().checkinSync({ list: listId, scans: batch.map(toSyncScan) });
        const synced = applySync(batch, reply);
        await store.put(synced);
        done.push(...synced);
      } catch (e) {
        if (unreachable(e)) return done.length > 0 ? done : null;
        throw e;
      }
    }
  }
  return done;
}
