import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.ts';
import { passwordWeakness, requireStrongPassword } from './password_policy.ts';

describe('password policy', () => {
  it('refuses the most common passwords, whatever their case', async () => {
    for (const password of ['1234567890', 'password123', 'Qwertyuiop', 'ILOVEYOU12']) expect(await passwordWeakness(password, 'ada@example.com')).not.toBeNull();
  });

  it('refuses the email, or its part before the @, as password', async () => {
    expect(await passwordWeakness('Ada.Lovelace@Example.com', 'ada.lovelace@example.com')).toMatch(/email/);
    expect(await passwordWeakness('ada.lovelace', 'ada.lovelace@example.com')).toMatch(/email/);
  });

  it('accepts a long, unusual password', async () => {
    expect(await passwordWeakness('correct horse battery', 'ada@example.com')).toBeNull();
  });

  it('answers 422 weak_password with a sentence', async () => {
    const thrown = await requireStrongPassword('password123', 'ada@example.com').catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 422, code: 'weak_password', extra: { field: 'password' } });
    expect((thrown as HttpError).message.length).toBeGreaterThan(20);
  });
});
