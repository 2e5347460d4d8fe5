import { base32nopad } from '@scure/base';

/**
 * RFC 4648 base32, uppercase, without padding (@scure/base's codec, with no
 * Node Buffer, so the storefront's scanner imports this same file). Its
 * alphabet is inside the QR alphanumeric set, which packs 5.5 bits a
 * character, so a ticket's QR code stays small and easy for a phone camera to
 * read.
 */
export function base32Encode(bytes: Uint8Array): string {
  return base32nopad.encode(bytes);
}

/**
 * Null for anything but the canonical encoding: a character outside the
 * alphabet, padding, lowercase, an impossible length, or non-zero spare bits
 * (the codec refuses each). One byte string has exactly one text, so a ticket
 * cannot be re-spelt.
 */
export function base32Decode(text: string): Uint8Array | null {
  try {
    return base32nopad.decode(text);
  } catch {
    return null;
  }
}
