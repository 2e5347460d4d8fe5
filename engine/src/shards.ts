/**
 * The virtual shard of an event: FNV-1a (32 bit) over the event id's text,
 * modulo the shard count. Stable across processes and versions, because a
 * shard is stored with the event at creation and names who owns its
 * inventory; changing this function re-homes nothing already stored.
 */
export function shardOf(eventId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    hash ^= eventId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
