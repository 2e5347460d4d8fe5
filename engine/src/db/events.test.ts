import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../shards.ts';
import { freshDatabase, type TestDatabase } from '../testing/db.ts';
import { insertAccount } from './accounts.ts';
import {
  insertEvent, selectEvent, selectEventConfig, selectEventConfigsOfShards, selectEventsOfOrganizer, selectPublishedEvents,
  updateEvent, updateTicketTypeCapacity, type NewEvent,
} from './events.ts';

describe('events', () => {
  let t: TestDatabase;
  let organizerId: string;
  beforeAll(async () => {
    t = await freshDatabase();
    organizerId = (await insertAccount(t.db, { email: 'org@example.com', passwordHash: 'h', name: 'Org', role: 'organizer' }))!.id;
  });
  afterAll(async () => { await t.drop(); });

  const newEvent = (over: Partial<NewEvent> = {}): NewEvent => ({
    id: randomUUID(),
    name: 'Jazz night',
    venue: 'Hall',
    startsAt: new Date(Date.now() + 86_400_000),
    endsAt: null,
    saleStartsAt: new Date('2026-01-01T10:00:00Z'),
    saleEndsAt: null,
    currency: 'TND',
    perBuyerLimit: 4,
    holdTtlSeconds: 300,
    ticketTypes: [{ name: 'General', price: 25_000, capacity: 100 }, { name: 'VIP', price: 90_000, capacity: 10 }],
    ...over,
  });

  it('inserts an event with its ticket types and reads it back the same', async () => {
    const input = newEvent();
    const inserted = await insertEvent(t.db, organizerId, input, shardOf(input.id, 64));
    expect(inserted.ticketTypes.map((x) => x.position)).toEqual([1, 2]);
    expect(await selectEvent(t.db, input.id)).toEqual(inserted);
  });

  it('inserts nothing when a ticket type is refused', async () => {
    const input = newEvent({ ticketTypes: [{ name: 'Bad', price: -1, capacity: 1 }] });
    await expect(insertEvent(t.db, organizerId, input, 0)).rejects.toThrow();
    expect(await selectEvent(t.db, input.id)).toBeNull();
  });

  it('answers the actor\'s config: epoch ms, TTL in ms, types in position order', async () => {
    const input = newEvent();
    const e = await insertEvent(t.db, organizerId, input, 7);
    expect(await selectEventConfig(t.db, input.id)).toEqual({
      eventId: input.id, shard: 7, currency: 'TND', perBuyerLimit: 4, holdTtlMs: 300_000,
      saleStartsAt: Date.parse('2026-01-01T10:00:00Z'), saleEndsAt: null,
      types: e.ticketTypes.map((x) => ({ typeId: x.id, price: x.price, capacity: x.capacity })),
    });
    expect(await selectEventConfig(t.db, randomUUID())).toBeNull();
    const ofShard = await selectEventConfigsOfShards(t.db, [7, 8]);
    expect(ofShard.map((c) => c.eventId)).toContain(input.id);
    expect(ofShard.every((c) => c.shard === 7 || c.shard === 8)).toBe(true);
  });

  it('lists an organizer\'s events and the upcoming ones', async () => {
    const past = newEvent({ startsAt: new Date(Date.now() - 86_400_000) });
    await insertEvent(t.db, organizerId, past, 1);
    const mine = await selectEventsOfOrganizer(t.db, organizerId);
    expect(mine.map((e) => e.id)).toContain(past.id);
    const upcoming = await selectPublishedEvents(t.db, 100);
    expect(upcoming.map((e) => e.id)).not.toContain(past.id);
    expect(upcoming.length).toBeGreaterThan(0);
  });

  it('updates fields, names and prices in one go, and capacity on its own', async () => {
    const input = newEvent();
    const e = await insertEvent(t.db, organizerId, input, 2);
    const vip = e.ticketTypes[1]!.id;
    const updated = await updateEvent(t.db, input.id, { name: 'Renamed', saleStartsAt: null, ticketTypes: [{ id: vip, price: 99_000 }] });
    expect(updated).toMatchObject({ name: 'Renamed', saleStartsAt: null, venue: 'Hall' });
    expect(updated!.ticketTypes[1]).toMatchObject({ name: 'VIP', price: 99_000 });
    await updateTicketTypeCapacity(t.db, input.id, vip, 12);
    expect((await selectEvent(t.db, input.id))!.ticketTypes[1]!.capacity).toBe(12);
    expect(await updateEvent(t.db, randomUUID(), { name: 'x' })).toBeNull();
  });
});
