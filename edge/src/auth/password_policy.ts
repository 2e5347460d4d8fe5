import { HttpError } from '../http/errors.ts';

/**
 * The 49,000 most common passwords, as zxcvbn-ts keeps them (lower case):
 * the first a guesser tries, and so the ones that lockout delays cannot
 * protect. Loaded on first use (half a second and a few MB), not at start.
 */
let common: Promise<Set<string>> | undefined;
function commonPasswords(): Promise<Set<string>> {
  return (common ??= import('@zxcvbn-ts/language-common').then((m) => new Set(m.dictionary['passwords-common'])));
}

/**
 * Why `password` may not be used by the account with `email`, or null when it
 * may. Length is checked by the schema before this.
 */
export async function passwordWeakness(password: string, email: string): Promise<string | null> {
  const lower = password.normalize('NFC').toLowerCase();
  const address = email.trim().toLowerCase();
  const local = address.split('@')[0] ?? '';
  if (lower === address || lower === local) return 'The password may not be your email address or its part before the @; choose another.';
  const list = await commonPasswords();
  if (list.has(lower) || list.has(lower.trim())) return 'This password is among the most common ones, the first a guesser tries; choose a longer or less usual one.';
  return null;
}

/** 422 `weak_password` when `password` may not be used. */
export async function requireStrongPassword(password: string, email: string): Promise<void> {
  const weakness = await passwordWeakness(password, email);
  if (weakness !== null) throw new HttpError(422, 'weak_password', weakness, { field: 'password' });
}
