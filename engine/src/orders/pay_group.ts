import { payGroupSizeMax, payGroupsInFlightMax } from '../constants.ts';
import type { Db } from '../db/pool.ts';
import { recordPaymentSuccesses, type SuccessNotice, type SuccessRecorded } from './payments_db.ts';

/**
 * Group commit for payment successes. A success is one autocommitted
 * statement (payments_db.ts `recordPaymentSuccesses`); under load most of its
 * cost is the statement itself (one socket write, one round trip, one commit),
 * not its rows. So notices that arrive while `payGroupsInFlightMax`
 * statements are in flight wait and go together in the next one, and each
 * caller is answered from its own row once that statement has committed.
 *
 * A group never holds two notices with the same id or for the same payment
 * (the rows of one statement would answer both as one), nor one that a group
 * in flight holds (two statements inserting the same notices in different
 * orders could deadlock): those wait for a later group. A group whose
 * statement fails (a deadlock with another node, say) is run again one notice
 * a statement, so one bad notice fails alone.
 */

type Waiting = { notice: SuccessNotice; resolve: (row: SuccessRecorded) => void; reject: (error: unknown) => void };

type Group = { waiting: Waiting[]; inFlight: number; busy: Set<string> };

const groups = new WeakMap<Db, Group>();

export function recordPaymentSuccessGrouped(db: Db, notice: SuccessNotice): Promise<SuccessRecorded> {
  let group = groups.get(db);
  if (group === undefined) {
    group = { waiting: [], inFlight: 0, busy: new Set() };
    groups.set(db, group);
  }
  const g = group;
  return new Promise((resolve, reject) => {
    g.waiting.push({ notice, resolve, reject });
    sendWhileFree(db, g);
  });
}

function keysOf(n: SuccessNotice): [string, string] {
  return [`event:${n.provider}:${n.noticeId}`, `payment:${n.provider}:${n.providerRef}`];
}

/** Sends groups while a slot is free and some waiting notice can go. */
function sendWhileFree(db: Db, g: Group): void {
  while (g.inFlight < payGroupsInFlightMax && g.waiting.length > 0 && send(db, g));
}

/** One group of the waiting notices that can go now; false when none can. */
function send(db: Db, g: Group): boolean {
  const taken: Waiting[] = [];
  const left: Waiting[] = [];
  for (const w of g.waiting) {
    const keys = keysOf(w.notice);
    if (taken.length >= payGroupSizeMax || keys.some((k) => g.busy.has(k))) left.push(w);
    else {
      taken.push(w);
      for (const k of keys) g.busy.add(k);
    }
  }
  g.waiting = left;
  if (taken.length === 0) return false;
  g.inFlight++;
  void run(db, taken).finally(() => {
    g.inFlight--;
    for (const w of taken) for (const k of keysOf(w.notice)) g.busy.delete(k);
    sendWhileFree(db, g);
  });
  return true;
}

async function run(db: Db, taken: Waiting[]): Promise<void> {
  try {
    const rows = await recordPaymentSuccesses(db, taken.map((w) => w.notice));
    taken.forEach((w, i) => w.resolve(rows[i]!));
  } catch (error) {
    if (taken.length === 1) {
      taken[0]!.reject(error);
      return;
    }
    await Promise.all(taken.map(async (w) => {
      try {
        w.resolve((await recordPaymentSuccesses(db, [w.notice]))[0]!);
      } catch (alone) {
        w.reject(alone);
      }
    }));
  }
}
