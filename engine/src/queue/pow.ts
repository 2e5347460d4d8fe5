/**
 * Optional proof of work on join: it makes each join cost a client a little CPU,
 * so one machine cannot cheaply take thousands of places.
 *
 * The client finds a nonce such that `sha256(challenge + ':' + nonce)` (UTF-8)
 * starts with at least `bits` zero bits. The server checks with one hash and a
 * count over all 32 digest bytes that never stops early, so every verification
 * costs the same however close the nonce came.
 */
import { createHash } from 'node:crypto';
import { assert } from '../assert.ts';
import { powBitsMax } from './limits.ts';

/** Nonces are short and printable: base64url characters, at most this many. */
export const powNonceCharsMax = 64;
/** The solver gives up after 64 times the expected tries; the chance of that is about e^-64. */
const solveTriesFactor = 64;

const nonceShape = /^[A-Za-z0-9_-]+$/;

export function powChallenge(eventId: string, buyer: string, issuedAt: number): string {
  return `${eventId}:${buyer}:${issuedAt}`;
}

/** A nonce meeting the difficulty, or undefined if none was found within the bound. */
export function solve(challenge: string, bits: number): string | undefined {
  assertBits(bits);
  const tries = solveTriesFactor * 2 ** bits;
  for (let n = 0; n < tries; n++) {
    const nonce = n.toString(36);
    if (leadingZeroBits(digest(challenge, nonce)) >= bits) return nonce;
  }
  return undefined;
}

export function verify(challenge: string, nonce: string, bits: number): boolean {
  assertBits(bits);
  if (typeof nonce !== 'string' || nonce.length > powNonceCharsMax || !nonceShape.test(nonce)) return false;
  return leadingZeroBits(digest(challenge, nonce)) >= bits;
}

/**
 * Counts leading zero bits over the whole digest without branching on its
 * bytes: `run` stays 1 while every byte so far was zero, and a byte adds its
 * own leading zeros only while `run` is 1.
 */
export function leadingZeroBits(bytes: Uint8Array): number {
  let count = 0;
  let run = 1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    count += run * (Math.clz32(byte) - 24);
    // (byte - 1) >>> 31 is 1 for a zero byte and 0 for any other.
    run &= (byte - 1) >>> 31;
  }
  return count;
}

function digest(challenge: string, nonce: string): Buffer {
  return createHash('sha256').update(`${challenge}:${nonce}`, 'utf8').digest();
}

function assertBits(bits: number): void {
  assert(Number.isInteger(bits) && bits >= 0 && bits <= powBitsMax, `proof-of-work bits must be an integer from 0 to ${powBitsMax}`);
}
