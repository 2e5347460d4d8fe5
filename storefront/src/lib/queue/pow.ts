/**
 * The queue's optional proof of work, solved in the browser: find a nonce so
 * that sha256(challenge + ':' + nonce) starts with `bits` zero bits (the
 * edge's engine/src/queue/pow.ts checks it with one hash). Web Crypto, so the
 * same code runs in browsers and in Node's tests.
 */

export function leadingZeroBits(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      count += 8;
      continue;
    }
    return count + Math.clz32(byte) - 24;
  }
  return count;
}

/** Tries before giving up: 64 times the expected number, as the edge's own solver. */
const triesFactor = 64;
/** Yield to the page this often so the spinner keeps turning. */
const yieldEvery = 2_000;

export async function solvePow(challenge: string, bits: number, onProgress?: (tries: number) => void): Promise<string | null> {
  const encoder = new TextEncoder();
  const tries = triesFactor * 2 ** bits;
  for (let n = 0; n < tries; n++) {
    const nonce = n.toString(36);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${challenge}:${nonce}`)));
    if (leadingZeroBits(digest) >= bits) return nonce;
    if (n % yieldEvery === yieldEvery - 1) {
      onProgress?.(n + 1);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return null;
}
