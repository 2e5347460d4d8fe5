import { describe, expect, it } from 'vitest';
import { payGroupsInFlightMax } from '../constants.ts';
import type { Db } from '../db/pool.ts';
import { recordPaymentSuccessGrouped } from './pay_group.ts';
import type { SuccessNotice } from './payments_db.ts';

/**
 * The grouping alone, over a stand-in database that answers each notice's row
 * from its reference (the statement itself is tested through the routes:
 * orders.test.ts, stripe_webhook.test.ts, ticket_pipeline.test.ts).
 */
function fakeDb() {
  const statements: string[][] = [];
  let inFlight = 0;
  let inFlightPeak = 0;
  const db = {
    async query(cfg: { values: string[][] }) {
      const [, ids, refs] = cfg.values as [string[], string[], string[]];
      statements.push(ids);
      inFlight++;
      inFlightPeak = Math.max(inFlightPeak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      if (ids.length > 1 && ids.some((id) => id.startsWith('bad'))) throw new Error('deadlock detected');
      if (ids.some((id) => id.startsWith('bad'))) throw new Error(`notice ${ids[0]} fails alone`);
      return { rows: refs.map((ref) => ({ recorded: true, paymentId: `payment-of-${ref}`, orderId: 'o', status: 'created', moved: true })) };
    },
  };
  return { db: db as unknown as Db, statements, peak: () => inFlightPeak };
}

const notice = (id: string, ref: string): SuccessNotice => ({ provider: 'simulated', noticeId: id, providerRef: ref, buyerId: null });

describe('pay groups', () => {
  it('answers each notice from its own row, with notices arriving together sharing statements', async () => {
    const { db, statements, peak } = fakeDb();
    const rows = await Promise.all(Array.from({ length: 40 }, (_, i) => recordPaymentSuccessGrouped(db, notice(`n${i}`, `r${i}`))));
    rows.forEach((row, i) => expect(row.paymentId).toBe(`payment-of-r${i}`));
    expect(statements.length).toBeLessThan(40);
    expect(peak()).toBeLessThanOrEqual(payGroupsInFlightMax);
  });

  it('never puts two notices with the same id, or for the same payment, in one statement or two at once', async () => {
    const { db, statements } = fakeDb();
    const notices = [notice('a', 'r1'), notice('a', 'r1'), notice('b', 'r1'), notice('c', 'r2'), notice('c', 'r3'), notice('d', 'r4')];
    await Promise.all(notices.map((n) => recordPaymentSuccessGrouped(db, n)));
    for (const ids of statements) expect(new Set(ids).size).toBe(ids.length);
    expect(statements.flat().sort()).toEqual(['a', 'a', 'b', 'c', 'c', 'd']);
  });

  it('runs a failed group again one notice a statement, so only the bad notice fails', async () => {
    const { db, statements } = fakeDb();
    // The first notices take every slot, so the next ones wait and go as one group.
    const ids = [...Array.from({ length: payGroupsInFlightMax }, (_, i) => `first${i}`), 'ok1', 'bad', 'ok2'];
    const outcomes = await Promise.allSettled(ids.map((id) => recordPaymentSuccessGrouped(db, notice(id, `ref-${id}`))));
    expect(statements.some((group) => group.length > 1 && group.includes('bad'))).toBe(true);
    outcomes.forEach((o, i) => {
      if (ids[i] === 'bad') expect(o.status).toBe('rejected');
      else expect(o).toMatchObject({ status: 'fulfilled', value: { paymentId: `payment-of-ref-${ids[i]}` } });
    });
  });
});
