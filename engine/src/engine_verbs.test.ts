import { describe, expect, it } from 'vitest';
import { shardUnavailable } from './engine.ts';
import { EngineVerbs, UnexpectedAnswer } from './engine_verbs.ts';
import type { Command, HoldView, Outcome } from './inventory/types.ts';

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
