import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitment, joinedListDigest, lotteryOrder, newSeed, seedMatchesCommitment } from './lottery.ts';

/**
 * The documented rule, written again from the prose in lottery.ts and nothing
 * else from it: HMAC-SHA256 with the seed as key over each id, sort the raw
 * MACs as unsigned bytes, ties by id.
 */
function recomputeOrder(seedHex: string, ids: string[]): string[] {
  const seed = Buffer.from(seedHex, 'hex');
  const rows = ids.map((id) => [id, createHmac('sha256', seed).update(Buffer.from(id, 'utf8')).digest()] as const);
  rows.sort(([idA, macA], [idB, macB]) => Buffer.compare(macA, macB) || (idA < idB ? -1 : idA > idB ? 1 : 0));
  return rows.map(([id]) => id);
}

function recomputeChain(ids: string[]): string[] {
  const links: string[] = [];
  let previous = Buffer.alloc(32);
  for (const id of ids) {
    previous = createHash('sha256').update(Buffer.concat([previous, Buffer.from(id, 'utf8')])).digest();
    links.push(previous.toString('hex'));
  }
  return links;
}

const ids = Array.from({ length: 200 }, (_, i) => `qt_${i.toString(36).padStart(4, '0')}`);

describe('lottery', () => {
  it('draws a fresh 32-byte seed each time', () => {
    const a = newSeed();
    const b = newSeed();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });

  it('publishes a commitment that the revealed seed verifies and another seed does not', () => {
    const seed = newSeed();
    const published = commitment(seed);
    expect(published).toBe(createHash('sha256').update(seed).digest('hex'));
    expect(seedMatchesCommitment(seed, published)).toBe(true);
    expect(seedMatchesCommitment(newSeed(), published)).toBe(false);
    expect(seedMatchesCommitment(seed.subarray(0, 31), published)).toBe(false);
  });

  it('produces an order that anyone can recompute from the published seed and ids', () => {
    const seed = newSeed();
    expect(lotteryOrder(seed, ids)).toEqual(recomputeOrder(seed.toString('hex'), ids));
  });

  it('gives the same order for the same seed whatever the join order', () => {
    const seed = newSeed();
    expect(lotteryOrder(seed, [...ids].reverse())).toEqual(lotteryOrder(seed, ids));
  });

  it('gives a different order for a different seed', () => {
    expect(lotteryOrder(newSeed(), ids)).not.toEqual(lotteryOrder(newSeed(), ids));
  });

  it('refuses duplicate ids, which would give one buyer two places', () => {
    expect(() => lotteryOrder(newSeed(), ['a', 'a'])).toThrow(/unique/);
  });

  it('returns a permutation of its input, matching the recomputation, for any seed and ids', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uniqueArray(fc.string(), { maxLength: 60 }), (seedBytes, input) => {
        const seed = Buffer.from(seedBytes);
        const order = lotteryOrder(seed, input);
        expect([...order].sort()).toEqual([...input].sort());
        expect(order).toEqual(recomputeOrder(seed.toString('hex'), input));
      }),
    );
  });

  it('chains the joined ids so the last link matches an independent recomputation', () => {
    const chained = joinedListDigest(ids, { links: true });
    const expected = recomputeChain(ids);
    expect(chained.links).toEqual(expected);
    expect(chained.digest).toBe(expected.at(-1));
    expect(joinedListDigest(ids)).toEqual({ digest: chained.digest });
  });

  it('digests the empty list to 32 zero bytes', () => {
    expect(joinedListDigest([]).digest).toBe('0'.repeat(64));
  });

  it('changes the digest when the join order or any id changes', () => {
    const base = joinedListDigest(ids).digest;
    expect(joinedListDigest([ids[1]!, ids[0]!, ...ids.slice(2)]).digest).not.toBe(base);
    expect(joinedListDigest([...ids.slice(0, -1), 'qt_other']).digest).not.toBe(base);
  });
});
