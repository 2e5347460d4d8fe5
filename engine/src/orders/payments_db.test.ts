import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { recordPaymentSuccesses, type SuccessNotice } from './payments_db.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await freshDatabase();
});

afterAll(async () => {
  await t.drop();
});

/** Payments enough for the planner's statistics to make an index probe a row dear (their orders are not needed: replica mode skips the foreign keys). */
async function seedPayments(count: number): Promise<void> {
  const client = await t.db.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    await client.query(`INSERT INTO payments (order_id, provider, provider_ref, amount, currency)
                        SELECT gen_random_uuid(), 'simulated', 'sim_seed_' || g, 100, 'EUR' FROM generate_series(1, $1::int) g`, [count]);
    await client.query(`ANALYZE payments`);
  } finally {
    await client.query(`RESET session_replication_role`);
    client.release();
  }
}

describe('recordPaymentSuccesses', () => {
  it('is planned once a connection, whatever the size of its sets (no custom plan after the first five)', async () => {
    await seedPayments(5_000);
    const client = await t.db.connect();
    try {
      let next = 1;
      for (const size of [3, 1, 2, 4, 3, 2, 3, 5, 1, 3, 2, 3]) {
        const notices: SuccessNotice[] = Array.from({ length: size }, () => {
          const n = next++;
          return { provider: 'simulated', noticeId: `plan-${n}`, providerRef: `sim_seed_${n}`, buyerId: null };
        });
        const rows = await recordPaymentSuccesses(client, notices);
        expect(rows.map((r) => [r.recorded, r.moved])).toEqual(notices.map(() => [true, true]));
      }
      const { rows } = await client.query<{ generic: number; custom: number }>(
        `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = 'record-payment-successes'`);
      // PostgreSQL tries five custom plans before it weighs the generic one.
      expect(rows[0]).toEqual({ generic: 7, custom: 5 });
    } finally {
      client.release();
    }
  });
});
