/** Reading a composed message back, for tests: what a mail client would show. */

/** The Subject header, unfolded and with its RFC 2047 encoded words decoded. */
export function subjectOf(mime: string): string {
  const headers = mime.slice(0, mime.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const raw = /^Subject: (.*)$/m.exec(headers)?.[1] ?? '';
  const words = [...raw.matchAll(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi)];
  if (words.length === 0) return raw;
  return Buffer.concat(words.map((w) => (w[1]!.toUpperCase() === 'B' ? Buffer.from(w[2]!, 'base64') : Buffer.from(w[2]!.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')))).toString('utf8');
}
