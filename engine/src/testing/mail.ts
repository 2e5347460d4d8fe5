import type { SqlExecutor } from '../jobs/queues.ts';

/** The latest outbox email to `to` (its template, subject and text), or null. */
export async function lastEmailTo(db: SqlExecutor, to: string): Promise<{ template: string; subject: string; text: string } | null> {
  const { rows } = await db.query(
    'SELECT template, subject, body_text AS text FROM email_outbox WHERE lower(to_address) = lower($1) ORDER BY created_at DESC, id DESC LIMIT 1', [to]);
  return (rows[0] as { template: string; subject: string; text: string } | undefined) ?? null;
}

/** The token of the link in the latest email to `to`, as a person would copy it from the link. */
export async function linkTokenTo(db: SqlExecutor, to: string): Promise<string> {
  const email = await lastEmailTo(db, to);
  const match = email?.text.match(/[?&]token=([A-Za-z0-9_%-]+)/);
  if (!match) throw new Error(`no email with a token link to ${to}`);
  return decodeURIComponent(match[1]!);
}
