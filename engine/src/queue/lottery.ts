/**
 * The verifiable lottery that orders the arrivals of a drop's waiting room.
 *
 * Anyone can check the draw with nothing but SHA-256 and HMAC-SHA256:
 *
 * 1. When the waiting room opens, Tickr publishes `commitment = sha256(seed)`,
 *    lowercase hex, where `seed` is 32 secret random bytes.
 * 2. At sale start, Tickr publishes the seed (hex) and the queue ticket ids of
 *    every arrival before sale start, in the order they joined. The ids carry
 *    no personal data. Their digest is the last link of a hash chain:
 *    `h_0 = 32 zero bytes`, `h_i = sha256(h_{i-1} || utf8(id_i))`.
 * 3. The order: for each id compute `k = HMAC-SHA256(key = seed, message = utf8(id))`
 *    and sort ascending by `k` compared as unsigned bytes (the same as comparing
 *    the lowercase hex). Equal keys, which would need an HMAC collision, fall
 *    back to comparing the ids by UTF-16 code units, so the rule is total.
 *
 * The seed is committed before anyone joins and revealed after everyone who can
 * take part has joined, so neither Tickr nor a participant can steer a place.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { assert } from '../assert.ts';

/** A seed this long cannot be guessed from its commitment before it is revealed. */
export const lotterySeedBytes = 32;

export function newSeed(): Buffer {
  return randomBytes(lotterySeedBytes);
}

/** The hash published when the waiting room opens; sha256 of the seed, lowercase hex. */
export function commitment(seed: Uint8Array): string {
  assert(seed.length === lotterySeedBytes, `a lottery seed is ${lotterySeedBytes} bytes`);
  return createHash('sha256').update(seed).digest('hex');
}

/** Whether a revealed seed is the one committed to. */
export function seedMatchesCommitment(seed: Uint8Array, published: string): boolean {
  return seed.length === lotterySeedBytes && commitment(seed) === published.toLowerCase();
}

/** The lottery key of one queue ticket id: HMAC-SHA256(seed, id), lowercase hex. */
export function lotteryKey(seed: Uint8Array, queueTicketId: string): string {
  return createHmac('sha256', seed).update(queueTicketId, 'utf8').digest('hex');
}

/** The places of the pre-sale arrivals: ids sorted by lottery key, ties by id. */
export function lotteryOrder(seed: Uint8Array, queueTicketIds: readonly string[]): string[] {
  assert(seed.length === lotterySeedBytes, `a lottery seed is ${lotterySeedBytes} bytes`);
  assert(new Set(queueTicketIds).size === queueTicketIds.length, 'queue ticket ids are unique');
  const keyed = queueTicketIds.map((id) => ({ id, key: lotteryKey(seed, id) }));
  keyed.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.id, b.id));
  return keyed.map((entry) => entry.id);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type JoinedListDigest = {
  /** The last link, lowercase hex; the empty list digests to 32 zero bytes. */
  digest: string;
  /** Every link h_1..h_n, present when asked for, so a participant can prove inclusion. */
  links?: string[];
};

/** The hash chain over the joined ids, in join order (see the file comment). */
export function joinedListDigest(
  queueTicketIds: readonly string[],
  options: { links?: boolean } = {},
): JoinedListDigest {
  let link: Buffer = Buffer.alloc(32);
  const links: string[] = [];
  for (const id of queueTicketIds) {
    link = createHash('sha256').update(link).update(id, 'utf8').digest();
    if (options.links) links.push(link.toString('hex'));
  }
  const digest = link.toString('hex');
  return options.links ? { digest, links } : { digest };
}
