import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadingZeroBits, powChallenge, solve, verify } from './pow.ts';

const challenge = powChallenge('evt_1', 'usr_7', 1_700_000_000_000);

/** The plain definition, with early exit, to check the branch-free count against. */
function naiveLeadingZeroBits(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      if ((byte >> bit) & 1) return count;
      count++;
    }
  }
  return count;
}

describe('proof of work', () => {
  it('builds the challenge from drop, buyer and issue time', () => {
    expect(challenge).toBe('evt_1:usr_7:1700000000000');
  });

  it.each([8, 10, 12])('accepts a solution found at %i bits', (bits) => {
    const nonce = solve(challenge, bits)!;
    expect(nonce).toBeDefined();
    expect(verify(challenge, nonce, bits)).toBe(true);
    const hash = createHash('sha256').update(`${challenge}:${nonce}`).digest();
    expect(naiveLeadingZeroBits(hash)).toBeGreaterThanOrEqual(bits);
  });

  it('refuses a nonce that does not meet the difficulty', () => {
    const nonce = solve(challenge, 8)!;
    // Find the first difficulty this nonce misses; it must be refused there.
    const hash = createHash('sha256').update(`${challenge}:${nonce}`).digest();
    const reached = naiveLeadingZeroBits(hash);
    expect(verify(challenge, nonce, reached + 1)).toBe(false);
  });

  it("refuses a solution for another buyer's challenge", () => {
    const nonce = solve(challenge, 12)!;
    // The solver is deterministic, so this is one fixed case, not a 1-in-4096 flake.
    expect(verify(powChallenge('evt_1', 'usr_8', 1_700_000_000_000), nonce, 12)).toBe(false);
  });

  it('refuses nonces that are empty, too long or not base64url', () => {
    expect(verify(challenge, '', 0)).toBe(false);
    expect(verify(challenge, 'a'.repeat(65), 0)).toBe(false);
    expect(verify(challenge, 'a b', 0)).toBe(false);
    expect(verify(challenge, 'a'.repeat(64), 0)).toBe(true);
  });

  it('refuses a difficulty outside 0 to 32 bits', () => {
    expect(() => verify(challenge, '0', 33)).toThrow(/from 0 to 32/);
    expect(() => verify(challenge, '0', 1.5)).toThrow();
  });

  it('counts leading zero bits exactly as the plain definition, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(40), (bytes, zeroBits) => {
        // Force a zero prefix so long runs are exercised, not only the random 0-1 bit ones.
        for (let i = 0; i < zeroBits >> 3; i++) bytes[i] = 0;
        expect(leadingZeroBits(bytes)).toBe(naiveLeadingZeroBits(bytes));
      }),
    );
    expect(leadingZeroBits(new Uint8Array(32))).toBe(256);
  });
});
