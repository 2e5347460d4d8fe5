import { describe, expect, it } from 'vitest';
import type { Db } from './db/pool.ts';
import { shardUnavailable } from './engine.ts';
import { answerKinds, EngineVerbs, UnexpectedAnswer } from './engine_verbs.ts';
import { InventoryActor } from './inventory/actor.ts';
import type { Command, EventConfig, HoldView, Outcome } from './inventory/types.ts';
import { QueueCommit } from './queue/commit.ts';
import { QueueHost } from './queue/host.ts';

const hold: HoldView = {
  holdId: 'h', eventId: 'e', typeId: 't', qty: 1, buyer: 'b', price: 100, currency: 'EUR', status: 'held', expiresAt: 0,
} as HoldView;

/** An engine that answers each command with what `answer` gives it, and records what it was sent. */
function engineAnswering(answer: (cmd: Command) => Outcome) {
  const sent: Command[] = [];
  return { sent, engine: { send: async (cmd: Command) => { sent.push(cmd); return answer(cmd); } } };
}

describe('EngineVerbs', () => {
  it('sends the verb as its command and gives the typed answer', async () => {
    const { engine, sent } = engineAnswering(() => ({ ok: true, kind: 'held', hold }));
    const placed = await new EngineVerbs(engine).placeHold({ eventId: 'e', typeId: 't', qty: 1, buyer: 'b', key: 'k' });
    expect(sent).toEqual([{ kind: 'placeHold', eventId: 'e', typeId: 't', qty: 1, buyer: 'b', key: 'k' }]);
    expect(placed.ok && placed.hold.holdId).toBe('h');
  });

  it('gives a refusal as it came, the shared shard_unavailable included', async () => {
    const { engine } = engineAnswering(() => shardUnavailable);
    expect(await new EngineVerbs(engine).getHold({ eventId: 'e', holdId: 'h' })).toBe(shardUnavailable);
    expect(Object.isFrozen(shardUnavailable)).toBe(true);
  });

  it('throws on an answer of another kind: a protocol bug, never taken for a refusal', async () => {
    const { engine } = engineAnswering(() => ({ ok: true, kind: 'released', hold }));
    await expect(new EngineVerbs(engine).confirmHold({ eventId: 'e', holdId: 'h' })).rejects.toThrow(UnexpectedAnswer);
    await expect(new EngineVerbs(engine).confirmHold({ eventId: 'e', holdId: 'h' })).rejects.toThrow('engine answered released to confirmHold, expected confirmed');
  });
});

describe('answerKinds', () => {
  const eventId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
  const config: EventConfig = {
    eventId, shard: 0, currency: 'EUR', perBuyerLimit: 6, holdTtlMs: 60_000, saleStartsAt: null, saleEndsAt: null,
    types: [{ typeId: 'floor', price: 5_000, capacity: 10 }, { typeId: 'balcony', price: 3_000, capacity: 4 }],
  };

  /** A queue command as the shard worker runs it: through the queue host, whose answers leave by the queue commit. */
  async function queueAnswer(cmd: Extract<Command, { kind: 'queue' }>, inventory: InventoryActor): Promise<Outcome> {
    const released: Outcome[] = [];
    // An event without a queue answers queue_off and writes nothing, so no database is reached.
    const noDatabase = { query: () => { throw new Error('no database in this test'); } } as unknown as Db;
    const commit = new QueueCommit(noDatabase, (_ids, outcomes) => released.push(...outcomes), (error) => { throw error; });
    new QueueHost(commit, noDatabase).run(1, cmd, 0, 1, inventory, 0);
    await commit.drain();
    return released[0]!;
  }

  it('names what the engine really answers to every command it lists', async () => {
    const actor = InventoryActor.create(config);
    const now = 1_000;
    const answers = new Map<Command['kind'], Outcome>();
    const run = (cmd: Command): Outcome => {
      const { outcome } = actor.handle(cmd, now);
      answers.set(cmd.kind, outcome);
      return outcome;
    };
    const holdOf = (outcome: Outcome): HoldView => {
      if (!outcome.ok || !('hold' in outcome)) throw new Error(`expected a hold, got ${JSON.stringify(outcome)}`);
      return outcome.hold;
    };

    const sold = holdOf(run({ kind: 'placeHold', eventId, typeId: 'floor', qty: 2, buyer: 'ann', key: 'k1' }));
    run({ kind: 'getHold', eventId, holdId: sold.holdId });
    run({ kind: 'confirmHold', eventId, holdId: sold.holdId });
    run({ kind: 'refundTickets', eventId, holdId: sold.holdId, typeId: 'floor', qty: 2, buyer: 'ann' });
    run({ kind: 'placeBasket', eventId, items: [{ typeId: 'floor', qty: 1 }, { typeId: 'balcony', qty: 1 }], buyer: 'bob', key: 'k2' });
    const released = holdOf(actor.handle({ kind: 'placeHold', eventId, typeId: 'balcony', qty: 1, buyer: 'cy', key: 'k3' }, now).outcome);
    run({ kind: 'releaseHold', eventId, holdId: released.holdId, buyer: 'cy' });
    run({ kind: 'changeCapacity', eventId, typeId: 'balcony', capacity: 3 });
    run({ kind: 'expireHolds', eventId });
    run({ kind: 'snapshot', eventId });
    run({ kind: 'reconfigure', eventId, config });
    run({ kind: 'releaseAllHolds', eventId });
    answers.set('queue', await queueAnswer({ kind: 'queue', eventId, op: { type: 'status' } }, actor));

    // Every command of the table was sent here; a command added to it without a case above fails this test.
    expect([...answers.keys()].sort()).toEqual(Object.keys(answerKinds).sort());
    for (const [kind, outcome] of answers) expect({ kind, answer: outcome.ok ? outcome.kind : outcome.reason }).toEqual({ kind, answer: answerKinds[kind] });
  });
});
