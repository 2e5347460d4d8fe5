import MailComposer from 'nodemailer/lib/mail-composer';

/**
 * A MIME message for SES SendRawEmail: text and HTML alternatives, plus PNG
 * attachments (the tickets' QR codes), composed by nodemailer's MailComposer
 * (encoded words for non-ASCII headers, folding, transfer encodings).
 *
 * A subject comes from an organizer's event name, which may hold a line break:
 * it is flattened to one line, never a reason for the email not to go. The
 * addresses are Tickr's own (validated at sign-up, and the configured sender),
 * so a line break in one is a bug and throws.
 */
export type Attachment = { filename: string; contentType: string; content: Buffer };
export type MimeMessage = { from: string; to: string; subject: string; text: string; html: string; attachments: Attachment[] };

function refuseLineBreaks(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`${name} must not contain line breaks (header injection)`);
}

/** One line: line breaks and other control characters become spaces, runs of spaces one. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

export async function buildMime(m: MimeMessage): Promise<Buffer> {
  refuseLineBreaks('from', m.from);
  refuseLineBreaks('to', m.to);
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    subject: oneLine(m.subject),
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => ({ filename: oneLine(a.filename), contentType: a.contentType, content: a.content })),
    // Base64 for the bodies too: French accents and Arabic survive any relay byte for byte.
    textEncoding: 'base64',
  });
  return await composer.compile().build();
}
