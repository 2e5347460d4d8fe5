import { insertAccount, selectAccountByEmail, type Account, type AccountRole } from '../../engine/src/db/accounts.ts';
import { insertEvent, selectEvent } from '../../engine/src/db/events.ts';
import type { Db } from '../../engine/src/db/pool.ts';
import type { Engine } from '../../engine/src/engine.ts';
import { shardOf } from '../../engine/src/shards.ts';
import { hashPassword } from '../../edge/src/auth/passwords.ts';
import { EngineVerbs } from '../../engine/src/engine_verbs.ts';

/**
 * The demo drop `npm start` seeds, so a newcomer has something to hold and
 * buy at once. Fixed ids and emails make seeding idempotent: the second start
 * finds everything in place and changes nothing.
 */
export const demoEventId = 'c0ffee00-d1e0-4a11-8000-000000000001';

export type DemoCredentials = {
  eventId: string;
  organizer: { email: string; password: string };
  participant: { email: string; password: string };
};

const organizer = { email: 'organizer@demo.tickr.test', password: 'demo-organizer-1', name: 'Demo Organizer' };
const participant = { email: 'buyer@demo.tickr.test', password: 'demo-buyer-1234', name: 'Demo Buyer' };

async function ensureAccount(db: Db, who: { email: string; password: string; name: string }, role: AccountRole): Promise<Account> {
  const existing = await selectAccountByEmail(db, who.email);
  if (existing) return existing;
  const created = await insertAccount(db, { email: who.email, passwordHash: await hashPassword(who.password), name: who.name, role });
  // Another node seeding at the same moment won the insert.
  return created ?? (await selectAccountByEmail(db, who.email))!;
}

/** The demo accounts' emails, when a database seeded in development now runs in production: their passwords are public. */
export async function demoAccountsPresent(db: Db): Promise<string[]> {
  const found = await Promise.all([organizer.email, participant.email].map((email) => selectAccountByEmail(db, email)));
  return found.filter((a) => a !== null).map((a) => a!.email);
}

export async function seedDemo(db: Db, engine: Pick<Engine, 'send'>, shards: number): Promise<DemoCredentials> {
  const owner = await ensureAccount(db, organizer, 'organizer');
  await ensureAccount(db, participant, 'participant');
  if (!(await selectEvent(db, demoEventId))) {
    const startsAt = new Date(Date.now() + 30 * 24 * 60 * 60_000);
    startsAt.setUTCHours(20, 0, 0, 0);
    await insertEvent(
      db,
      owner.id,
      {
        id: demoEventId,
        name: 'Festival de Carthage — demo drop',
        venue: 'Théâtre antique de Carthage',
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3 * 60 * 60_000),
        saleStartsAt: null,
        saleEndsAt: null,
        currency: 'TND',
        perBuyerLimit: 4,
        holdTtlSeconds: 480,
        ticketTypes: [
          { name: 'Gradins', price: 50_000, capacity: 5_000 },
          { name: 'Fosse', price: 80_000, capacity: 1_500 },
          { name: 'VIP', price: 150_000, capacity: 200 },
        ],
      },
      shardOf(demoEventId, shards),
    ).catch(async (error: unknown) => {
      // Two nodes seeding at once: the loser finds the winner's event.
      if (!(await selectEvent(db, demoEventId))) throw error;
    });
  }
  // Warm the actor, so the first buyer does not pay for loading it.
  await new EngineVerbs(engine).snapshot({ eventId: demoEventId });
  return { eventId: demoEventId, organizer, participant };
}
