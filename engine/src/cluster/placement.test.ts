import { describe, expect, it } from 'vitest';
import { ownerOf, shardsOf, weight } from './placement.ts';

const shards = 1_024;
const three = ['node-a', 'node-b', 'node-c'];
const four = [...three, 'node-d'];

function owners(nodeIds: string[]): string[] {
  return Array.from({ length: shards }, (_, shard) => ownerOf(shard, nodeIds));
}

describe('placement (rendezvous hashing)', () => {
  it('gives every shard exactly one owner among the live nodes', () => {
    const all = four.flatMap((n) => shardsOf(n, four, shards));
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: shards }, (_, s) => s));
    for (const n of four) for (const s of shardsOf(n, four, shards)) expect(ownerOf(s, four)).toBe(n);
  });

  it('spreads shards about evenly', () => {
    for (const n of four) {
      const count = shardsOf(n, four, shards).length;
      expect(count).toBeGreaterThan(shards / 4 - 80);
      expect(count).toBeLessThan(shards / 4 + 80);
    }
  });

  it('moves only about a quarter of the shards, all to the newcomer, when a 4th node joins 3', () => {
    const before = owners(three);
    const after = owners(four);
    const moved = after.filter((owner, s) => owner !== before[s]);
    expect(new Set(moved)).toEqual(new Set(['node-d']));
    expect(moved.length / shards).toBeGreaterThan(0.18);
    expect(moved.length / shards).toBeLessThan(0.32);
  });

  it("moves only the leaving node's shards when one leaves", () => {
    const before = owners(four);
    const after = owners(four.filter((n) => n !== 'node-b'));
    before.forEach((owner, s) => {
      if (owner === 'node-b') expect(after[s]).not.toBe('node-b');
      else expect(after[s]).toBe(owner);
    });
  });

  it('answers the same whatever the order of the live set, every time', () => {
    expect(owners([...four].reverse())).toEqual(owners(four));
    expect(owners(four)).toEqual(owners(four));
    // Pinned values: a change of hash would move shards between nodes running different versions.
    expect([weight('node-a', 0), weight('node-b', 63)]).toEqual([321810735, 823323932]);
  });

  it('gives a node that is not live no shards, and refuses an empty live set', () => {
    expect(shardsOf('node-z', three, shards)).toEqual([]);
    expect(() => ownerOf(0, [])).toThrow(/live set is empty/);
  });
});
