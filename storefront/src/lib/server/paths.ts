/** Only a path of this site may be the way back after a form (no open redirect). */
export function safeBack(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}
