import { assert } from '../assert.ts';

/**
 * Which live node owns which shard: rendezvous (highest random weight)
 * hashing. Every node scores every (node, shard) pair with the same hash and
 * a shard goes to its highest-scoring node, so all nodes agree from the live
 * set alone, with no coordination. When a node joins it takes about 1/n of
 * the shards, from every other node alike; when one leaves, only its shards
 * move.
 */
export function ownerOf(shard: number, nodeIds: readonly string[]): string {
  assert(nodeIds.length > 0, `shard ${shard} has no owner: the live set is empty`);
  let best = nodeIds[0]!;
  let bestWeight = weight(best, shard);
  for (let i = 1; i < nodeIds.length; i++) {
    const nodeId = nodeIds[i]!;
    const w = weight(nodeId, shard);
    // Ties (rare with 32 bits) go to the smaller id, so the order of `nodeIds` never matters.
    if (w > bestWeight || (w === bestWeight && nodeId < best)) {
      best = nodeId;
      bestWeight = w;
    }
  }
  return best;
}

/** The shards `nodeId` should own among `nodeIds`, ascending; none if it is not in the live set. */
export function shardsOf(nodeId: string, nodeIds: readonly string[], shardCount: number): number[] {
  if (!nodeIds.includes(nodeId)) return [];
  const shards: number[] = [];
  for (let shard = 0; shard < shardCount; shard++) if (ownerOf(shard, nodeIds) === nodeId) shards.push(shard);
  return shards;
}

/** The score of a (node, shard) pair: FNV-1a 32 of `${nodeId}:${shard}`, then murmur3's finaliser so nearby ids spread. */
export function weight(nodeId: string, shard: number): number {
  const key = `${nodeId}:${shard}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
