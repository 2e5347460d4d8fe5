import { randomBytes } from 'node:crypto';

/**
 * A MIME message for SES SendRawEmail: text and HTML alternatives, plus PNG
 * attachments (the tickets' QR codes). Every part is base64, so any UTF-8
 * text (French accents, Arabic) survives any relay; non-ASCII subjects use an
 * RFC 2047 encoded word.
 */
export type Attachment = { filename: string; contentType: string; content: Buffer };
export type MimeMessage = { from: string; to: string; subject: string; text: string; html: string; attachments: Attachment[] };

function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Base64 in lines of 76 characters, as RFC 2045 asks. */
function base64Lines(content: Buffer): string {
  return content.toString('base64').replace(/.{1,76}/g, '$&\r\n');
}

function refuseLineBreaks(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`${name} must not contain line breaks (header injection)`);
}

export function buildMime(m: MimeMessage): Buffer {
  refuseLineBreaks('from', m.from);
  refuseLineBreaks('to', m.to);
  refuseLineBreaks('subject', m.subject);
  const mixed = `mixed-${randomBytes(12).toString('hex')}`;
  const alt = `alt-${randomBytes(12).toString('hex')}`;
  const lines = [
    `From: ${m.from}`, `To: ${m.to}`, `Subject: ${encodeHeader(m.subject)}`, 'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`, '',
    `--${mixed}`, `Content-Type: multipart/alternative; boundary="${alt}"`, '',
    `--${alt}`, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(m.text, 'utf8')),
    `--${alt}`, 'Content-Type: text/html; charset=UTF-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(m.html, 'utf8')),
    `--${alt}--`, '',
  ];
  for (const a of m.attachments) {
    refuseLineBreaks('attachment filename', a.filename);
    lines.push(`--${mixed}`, `Content-Type: ${a.contentType}; name="${a.filename}"`, `Content-Disposition: attachment; filename="${a.filename}"`,
      'Content-Transfer-Encoding: base64', '', base64Lines(a.content));
  }
  lines.push(`--${mixed}--`, '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
