/**
 * RFC 4648 base32, uppercase, without padding. Its alphabet is inside the QR
 * alphanumeric set, which packs 5.5 bits a character, so a ticket's QR code
 * stays small and easy for a phone camera to read.
 */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const values = new Map([...alphabet].map((c, i) => [c, i]));

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Null for anything but the canonical encoding: a character outside the
 * alphabet, padding, lowercase, an impossible length, or non-zero spare bits.
 * One byte string has exactly one text, so a ticket cannot be re-spelt.
 */
export function base32Decode(text: string): Buffer | null {
  const spareBits = (text.length * 5) % 8;
  if (spareBits >= 5) return null;
  const out = Buffer.alloc(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let i = 0;
  for (const char of text) {
    const value = values.get(char);
    if (value === undefined) return null;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
