import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyAnswers } from './key_answers.ts';
import type { Hold, Refusal } from './types.ts';

function hold(n: number, buyer: string, key: string, placedAt = n): Hold {
  return { holdId: `h${n}`, typeId: 'floor', qty: 2, buyer, price: 5_000, placedAt, expiresAt: placedAt + 60_000, key };
}

const soldOut: Refusal = { ok: false, reason: 'sold_out' };

describe('KeyAnswers', () => {
  it("answers a key with its hold's fields, and follows the hold once it closes", () => {
    const answers = new KeyAnswers(10, 1_000);
    const slot = answers.placed(hold(1, 'ann', 'k1'), null);
    expect(answers.get('k1', 5, 'ann')).toEqual({
      holdId: 'h1', typeId: 'floor', qty: 2, buyer: 'ann', price: 5_000, expiresAt: 60_001, at: 1, status: 'held', refusal: null, basket: null,
    });
    expect(answers.get('k1', 5, 'bob')).toBeUndefined();
    answers.closed(slot, 'h1', 'confirmed');
    expect(answers.get('k1', 5, 'ann')?.status).toBe('confirmed');
  });

  it('keeps an open hold past the bound and the TTL, and forgets it once closed', () => {
    const answers = new KeyAnswers(2, 100);
    const slot = answers.placed(hold(1, 'ann', 'open'), null);
    for (let i = 2; i < 30; i++) answers.placed(hold(i, `b${i}`, 'k', i), null);
    for (let i = 2; i < 30; i++) answers.closed(answers.slotOf('k', `b${i}`), `h${i}`, 'released');
    expect(answers.get('open', 10_000, 'ann')?.holdId).toBe('h1');
    answers.closed(slot, 'h1', 'expired');
    expect(answers.get('open', 10_000, 'ann')).toBeUndefined();
    for (let i = 0; i < 60; i++) answers.refused(`r${i}`, 'cat', 10_000 + i, 'floor', 1, soldOut, null);
    expect(answers.slotOf('open', 'ann')).toBe(-1);
    expect(answers.size).toBeLessThanOrEqual(2);
  });

  it('remembers a refusal, unpinned, with the attempt it refused', () => {
    const answers = new KeyAnswers(10, 1_000);
    answers.refused('k1', 'ann', 5, 'balcony', 3, soldOut, null);
    expect(answers.get('k1', 6, 'ann')).toMatchObject({ holdId: '', typeId: 'balcony', qty: 3, refusal: soldOut, status: 'held' });
    expect(answers.get('k1', 1_005, 'ann')).toBeUndefined();
  });

  it('leaves alone a slot since given to another answer when a stale close comes', () => {
    const answers = new KeyAnswers(1, 1_000);
    const slot = answers.placed(hold(1, 'ann', 'k1'), null);
    answers.closed(slot, 'h1', 'released');
    // The closed answer is dropped past the bound; its slot is reused by the next answers.
    answers.placed(hold(2, 'bob', 'k2'), null);
    answers.placed(hold(3, 'cat', 'k3'), null);
    const reused = answers.slotOf('k3', 'cat') === slot ? 'k3' : 'k2';
    answers.closed(slot, 'h1', 'confirmed');
    expect(answers.get(reused, 10, reused === 'k3' ? 'cat' : 'bob')?.status).toBe('held');
  });

  it('keeps a basket list on its answer, which the rest of the basket joins', () => {
    const answers = new KeyAnswers(10, 1_000);
    const first = hold(1, 'ann', 'k1');
    const slot = answers.placed({ ...first, basket: 'h1' }, [{ holdId: 'h1', typeId: 'floor', qty: 2, buyer: 'ann', price: 5_000, expiresAt: 60_001 }]);
    answers.basketAt(slot)!.push({ holdId: 'h2', typeId: 'balcony', qty: 1, buyer: 'ann', price: 3_000, expiresAt: 60_001 });
    expect(answers.get('k1', 2, 'ann')?.basket?.map((h) => h.holdId)).toEqual(['h1', 'h2']);
  });

  it('keeps every answer while its slots grow past their first size', () => {
    const answers = new KeyAnswers(5_000, 1_000_000);
    for (let i = 0; i < 3_000; i++) answers.placed(hold(i, `b${i % 100}`, `k${i}`), null);
    for (let i = 0; i < 3_000; i += 7) expect(answers.get(`k${i}`, 3_000, `b${i % 100}`)?.holdId).toBe(`h${i}`);
  });

  describe("with the actor's id prefix", () => {
    const prefix = '0b7e6c1a-58f2-4d6e-9a61-3f0c2a9e4b11.';
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const suffixArb = fc.array(fc.constantFrom(...base64url), { minLength: 12, maxLength: 12 }).map((chars) => chars.join(''));

    it('answers with the very hold id it was given, whatever its suffix, and closes only on that id', () => {
      fc.assert(
        fc.property(suffixArb, suffixArb, (suffix, other) => {
          const answers = new KeyAnswers(10, 1_000, prefix);
          const holdId = prefix + suffix;
          const slot = answers.placed({ ...hold(1, 'ann', 'k1'), holdId }, null);
          expect(answers.holdIdAt(slot)).toBe(holdId);
          expect(answers.get('k1', 5, 'ann')?.holdId).toBe(holdId);
          // Another id, and ids that differ from it in one group of four characters only.
          const near = [0, 4, 8].map((at) => {
            const group = suffix.slice(at, at + 4) === 'AAAA' ? 'BBBB' : 'AAAA';
            return suffix.slice(0, at) + group + suffix.slice(at + 4);
          });
          for (const wrong of [other, ...near].filter((s) => s !== suffix)) {
            answers.closed(slot, prefix + wrong, 'confirmed');
            expect(answers.statusAt(slot)).toBe('held');
          }
          answers.closed(slot, holdId, 'released');
          expect(answers.get('k1', 5, 'ann')).toMatchObject({ holdId, status: 'released' });
        }),
      );
    });

    it('keeps as strings the ids not shaped as its own', () => {
      const answers = new KeyAnswers(10, 1_000, prefix);
      const odd = [`${prefix}short`, `${prefix}has.a.dot!!`, `${prefix}éééééééééééé`, 'h1', `${prefix.slice(0, -1)}:AAAAAAAAAAAA`];
      odd.forEach((holdId, i) => {
        const slot = answers.placed({ ...hold(i, 'ann', `k${i}`), holdId }, null);
        expect(answers.get(`k${i}`, 5, 'ann')?.holdId).toBe(holdId);
        answers.closed(slot, holdId, 'expired');
        expect(answers.statusAt(slot)).toBe('expired');
      });
    });

    it('remembers a refusal with no hold id', () => {
      const answers = new KeyAnswers(10, 1_000, prefix);
      answers.refused('k1', 'ann', 5, 'balcony', 3, soldOut, null);
      expect(answers.get('k1', 6, 'ann')?.holdId).toBe('');
    });
  });
});
