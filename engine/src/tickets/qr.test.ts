import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { generateEventKeyPair } from './keys.ts';
import { qrPng, qrSvg } from './qr.ts';
import { encodeTicketSecret, verifyTicketSecret } from './secret.ts';

/** jsqr is CommonJS typed as an ES module: its function is both `module.exports` and `.default`; only the latter typechecks under NodeNext. */
const jsQR = jsQRModule.default;

/** What a scanner does: PNG → RGBA pixels → QR decoder. */
function decodePng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height)?.data ?? null;
}

describe('ticket QR codes', () => {
  const event = generateEventKeyPair();
  const eventId = randomUUID();

  it('renders a PNG that a QR decoder reads back to the same secret, which verifies', async () => {
    const secret = encodeTicketSecret({ ticketId: randomUUID(), eventId, typeId: randomUUID(), version: 0 }, event.privateKeyPem);
    const png = await qrPng(secret);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const scanned = decodePng(png);
    expect(scanned).toBe(secret);
    expect(verifyTicketSecret(scanned!, event.publicKeyRaw, eventId)).toMatchObject({ ok: true });
  });

  it('encodes the secret in alphanumeric mode at error correction M (version 8, 49 modules a side)', async () => {
    const secret = encodeTicketSecret({ ticketId: randomUUID(), eventId, typeId: randomUUID(), version: 3 }, event.privateKeyPem);
    const png = PNG.sync.read(await qrPng(secret));
    // (49 modules + 2 × 4 quiet zone) × 8 px: byte mode would need version 10 (57 modules).
    expect(png.width).toBe((49 + 8) * 8);
  });

  it('renders an SVG of the same symbol', async () => {
    const svg = await qrSvg('TK1:ABC');
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 29 29"/);
    expect(svg).toContain('<path');
  });

  it('falls back to byte mode for text outside the alphanumeric set', async () => {
    expect(decodePng(await qrPng('https://tickr.example/t/abc?x=1'))).toBe('https://tickr.example/t/abc?x=1');
  });
});
