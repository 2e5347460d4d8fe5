import { Packr } from 'msgpackr';
import type { Command, HoldView, Outcome, PlaceHold } from '../inventory/types.ts';

/*
 * Records (`useRecords`) send each object shape once per frame and then only
 * values, which suits batches of commands that all look alike.
 */
const packr = new Packr({ useRecords: true, moreTypes: false });

/**
 * A frame in an ArrayBuffer of its own, safe to transfer. msgpackr writes
 * every Packr's output (this one's and the journal codec's) into one shared,
 * module-level buffer and returns a view of it: transferring that view's
 * buffer detached the journal bytes still waiting for their flush, and the
 * worker died on "Cannot perform %TypedArray%.prototype.set on a detached
 * ArrayBuffer" under load. The copy is one memcpy of the frame.
 */
export function pack(value: unknown): Uint8Array {
  return new Uint8Array(packr.pack(value));
}

export function unpack<T>(frame: Uint8Array): T {
  return packr.unpack(frame) as T;
}

/**
 * The `clone` wire's batches, one flat array per message: a structured clone
 * of an object pays for every property name (read back and interned on the
 * other side), so the hot kinds travel as bare values instead. A plain hold
 * (no admission, no address cap) is `id, 0, eventId, typeId, qty, buyer, key`,
 * a `held` answer `id, 0, holdId, eventId, typeId, qty, buyer, price,
 * currency, status, expiresAt`; anything else is `id, object`, cloned as it is.
 * bench/src/wire_micro.ts, 20 holds a batch, both threads: 1.4 to 1.8 CPU µs
 * a command against 3.4 to 3.6 for the objects themselves.
 */
export type FlatBatch = unknown[];
const plain = 0;

/*
 * A field added to PlaceHold or HoldView would be dropped by the bare-value
 * forms below: these fail to compile until it is listed (sent, or a reason to send the object).
 */
type PlainHoldFields = 'kind' | 'eventId' | 'typeId' | 'qty' | 'buyer' | 'key';
const placeHoldFieldsListed: Record<Exclude<keyof PlaceHold, PlainHoldFields | 'admitted' | 'address' | 'addressMax'>, never> = {};
const holdViewFieldsListed: Record<Exclude<keyof HoldView, 'holdId' | 'eventId' | 'typeId' | 'qty' | 'buyer' | 'price' | 'currency' | 'status' | 'expiresAt'>, never> = {};
void placeHoldFieldsListed;
void holdViewFieldsListed;

export function flattenCommands(ids: number[], cmds: Command[]): FlatBatch {
  const flat: FlatBatch = [];
  for (let i = 0; i < ids.length; i++) {
    const cmd = cmds[i]!;
    if (cmd.kind === 'placeHold' && cmd.admitted === undefined && cmd.address === undefined && cmd.addressMax === undefined) {
      flat.push(ids[i], plain, cmd.eventId, cmd.typeId, cmd.qty, cmd.buyer, cmd.key);
    } else {
      flat.push(ids[i], cmd);
    }
  }
  return flat;
}

/** Calls `each` with every command of a flattened batch, in order. */
export function forEachCommand(flat: FlatBatch, each: (id: number, cmd: Command) => void): void {
  let i = 0;
  while (i < flat.length) {
    const id = flat[i] as number;
    if (flat[i + 1] === plain) {
      const cmd: PlaceHold = { kind: 'placeHold', eventId: flat[i + 2] as string, typeId: flat[i + 3] as string, qty: flat[i + 4] as number, buyer: flat[i + 5] as string, key: flat[i + 6] as string | null };
      i += 7;
      each(id, cmd);
    } else {
      const cmd = flat[i + 1] as Command;
      i += 2;
      each(id, cmd);
    }
  }
}

export function flattenAnswers(ids: number[], outcomes: Outcome[]): FlatBatch {
  const flat: FlatBatch = [];
  for (let i = 0; i < ids.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome.ok && outcome.kind === 'held') {
      const h = outcome.hold;
      flat.push(ids[i], plain, h.holdId, h.eventId, h.typeId, h.qty, h.buyer, h.price, h.currency, h.status, h.expiresAt);
    } else {
      flat.push(ids[i], outcome);
    }
  }
  return flat;
}

/** Calls `each` with every answer of a flattened batch, in order. */
export function forEachAnswer(flat: FlatBatch, each: (id: number, outcome: Outcome) => void): void {
  let i = 0;
  while (i < flat.length) {
    const id = flat[i] as number;
    if (flat[i + 1] === plain) {
      const hold: HoldView = {
        holdId: flat[i + 2] as string, eventId: flat[i + 3] as string, typeId: flat[i + 4] as string, qty: flat[i + 5] as number, buyer: flat[i + 6] as string,
        price: flat[i + 7] as number, currency: flat[i + 8] as string, status: flat[i + 9] as HoldView['status'], expiresAt: flat[i + 10] as number,
      };
      i += 11;
      each(id, { ok: true, kind: 'held', hold });
    } else {
      const outcome = flat[i + 1] as Outcome;
      i += 2;
      each(id, outcome);
    }
  }
}
