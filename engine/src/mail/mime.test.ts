import { randomUUID } from 'node:crypto';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { generateEventKeyPair } from '../tickets/keys.ts';
import { qrPng } from '../tickets/qr.ts';
import { encodeTicketSecret, verifyTicketSecret } from '../tickets/secret.ts';
import { buildMime } from './mime.ts';

const jsQR = jsQRModule.default;

/** The base64 body of the part whose headers contain `marker`. */
function partBody(mime: string, marker: string): Buffer {
  const start = mime.indexOf(marker);
  const body = mime.slice(mime.indexOf('\r\n\r\n', start) + 4, mime.indexOf('\r\n--', start));
  return Buffer.from(body.replace(/\r\n/g, ''), 'base64');
}

describe('MIME for SES SendRawEmail', () => {
  it('carries text, HTML and a QR attachment that decodes back to a verifying secret', async () => {
    const keys = generateEventKeyPair();
    const eventId = randomUUID();
    const secret = encodeTicketSecret({ ticketId: randomUUID(), eventId, typeId: randomUUID(), version: 0 }, keys.privateKeyPem);
    const mime = buildMime({
      from: 'Tickr <t@example.com>', to: 'ada@example.com', subject: 'تذاكرك', text: 'Bonjour — été', html: '<p>été</p>',
      attachments: [{ filename: 'ticket.png', contentType: 'image/png', content: await qrPng(secret) }],
    }).toString('utf8');
    expect(mime).toContain(`Subject: =?UTF-8?B?${Buffer.from('تذاكرك').toString('base64')}?=`);
    expect(mime.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(partBody(mime, 'text/plain').toString('utf8')).toBe('Bonjour — été');
    expect(partBody(mime, 'text/html').toString('utf8')).toBe('<p>été</p>');
    const image = PNG.sync.read(partBody(mime, 'filename="ticket.png"'));
    const scanned = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data;
    expect(scanned).toBe(secret);
    expect(verifyTicketSecret(scanned!, keys.publicKeyRaw, eventId).ok).toBe(true);
  });

  it('refuses header injection through the recipient or subject', () => {
    const base = { from: 'a@example.com', to: 'b@example.com', subject: 's', text: '', html: '', attachments: [] };
    expect(() => buildMime({ ...base, to: 'b@example.com\r\nBcc: c@example.com' })).toThrow(/line breaks/);
    expect(() => buildMime({ ...base, subject: 'x\nBcc: c@example.com' })).toThrow(/line breaks/);
  });
});
