import { randomUUID } from 'node:crypto';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { generateEventKeyPair } from '../tickets/keys.ts';
import { qrPng } from '../tickets/qr.ts';
import { encodeTicketSecret, verifyTicketSecret } from '../tickets/secret.ts';
import { buildMime } from './mime.ts';
import { subjectOf } from './mime_reading.ts';

const jsQR = jsQRModule.default;

/** The base64 body of the part whose headers contain `marker`. */
function partBody(mime: string, marker: string): Buffer {
  if (!mime.includes(marker)) throw new Error(`no part with ${marker}`);
  const start = mime.indexOf(marker);
  const body = mime.slice(mime.indexOf('\r\n\r\n', start) + 4, mime.indexOf('\r\n--', start));
  return Buffer.from(body.replace(/\r\n/g, ''), 'base64');
}

describe('MIME for SES SendRawEmail', () => {
  it('carries text, HTML and a QR attachment that decodes back to a verifying secret', async () => {
    const keys = generateEventKeyPair();
    const eventId = randomUUID();
    const secret = encodeTicketSecret({ ticketId: randomUUID(), eventId, typeId: randomUUID(), version: 0 }, keys.privateKeyPem);
    const mime = (await buildMime({
      from: 'Tickr <t@example.com>', to: 'ada@example.com', subject: 'تذاكرك', text: 'Bonjour — été', html: '<p>été</p>',
      attachments: [{ filename: 'ticket.png', contentType: 'image/png', content: await qrPng(secret) }],
    })).toString('utf8');
    expect(subjectOf(mime)).toBe('تذاكرك');
    expect(mime.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(partBody(mime, 'text/plain').toString('utf8')).toBe('Bonjour — été');
    expect(partBody(mime, 'text/html').toString('utf8')).toBe('<p>été</p>');
    const image = PNG.sync.read(partBody(mime, 'ticket.png'));
    const scanned = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data;
    expect(scanned).toBe(secret);
    expect(verifyTicketSecret(scanned!, keys.publicKeyRaw, eventId).ok).toBe(true);
  });

  it('refuses a line break in an address (header injection), and sends a subject with one as one line', async () => {
    const base = { from: 'a@example.com', to: 'b@example.com', subject: 's', text: '', html: '', attachments: [] };
    await expect(buildMime({ ...base, to: 'b@example.com\r\nBcc: c@example.com' })).rejects.toThrow(/line breaks/);
    // An event named over two lines by its organizer: the email still goes, with no header injected.
    const mime = (await buildMime({ ...base, subject: 'Vos billets : Nuit du Jazz\r\nBcc: c@example.com' })).toString('utf8');
    expect(subjectOf(mime)).toBe('Vos billets : Nuit du Jazz Bcc: c@example.com');
    expect(mime).not.toMatch(/^Bcc:/im);
  });
});
