import type { Config } from '../config.ts';
import type { Jobs, SqlExecutor } from '../jobs/queues.ts';
import { queueEmail, type QueueEmail } from '../mail/outbox.ts';
import { queueSms, type QueueSms } from './outbox.ts';

export const notifyChoices = ['email', 'sms', 'both'] as const;
/** How a buyer is told about orders: tickets issued, event reminders, refunds. Account emails (verification, invites) always go by email. */
export type NotifyChoice = (typeof notifyChoices)[number];

/** Where one notice goes: by email or not, and to which phone (null: no SMS). */
export type Channels = { email: boolean; smsTo: string | null };

/**
 * The buyer's choice, as this deployment can honour it. Where SMS is not
 * available (production without SNS) a buyer who chose SMS gets email
 * instead: the notice is never dropped. The node says so at start-up.
 */
export function channelsOf(config: Pick<Config, 'smsAvailable'>, account: { notify: NotifyChoice; phone: string | null }): Channels {
  if (!config.smsAvailable || account.phone === null || account.notify === 'email') return { email: true, smsTo: null };
  return { email: account.notify === 'both', smsTo: account.phone };
}

export async function buyerChannels(tx: SqlExecutor, config: Pick<Config, 'smsAvailable'>, accountId: string): Promise<Channels> {
  const row = (await tx.query('SELECT notify, phone FROM accounts WHERE id = $1', [accountId])).rows[0] as { notify: NotifyChoice; phone: string | null } | undefined;
  return row === undefined ? { email: true, smsTo: null } : channelsOf(config, row);
}

/** Accounts that chose SMS: what a production node without SNS tells its operator it emails instead. */
export async function countSmsChoosers(db: SqlExecutor): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM accounts WHERE notify <> 'email' AND deleted_at IS NULL`);
  return (rows[0] as { n: number }).n;
}

/** The start-up line about SMS: where texts go, or that buyers are not offered them. */
export function smsStartupLine(config: Pick<Config, 'snsRegion' | 'snsEndpoint' | 'production'>): { level: 'info' | 'warn'; message: string } {
  if (config.snsRegion !== null) {
    return { level: 'info', message: `SMS through Amazon SNS in ${config.snsRegion}${config.snsEndpoint === null ? '' : ` at ${config.snsEndpoint}`}` };
  }
  if (!config.production) return { level: 'info', message: 'SMS go to the dev SMS outbox (GET /api/dev/sms): TICKR_SNS_REGION is not set' };
  return { level: 'warn', message: 'SMS are off: TICKR_SNS_REGION is not set, so buyers are not offered SMS and those who chose it get email instead' };
}

/**
 * Queues one notice to a buyer the way they chose: the email, the SMS, or
 * both, inside the caller's transaction and each keyed as its own outbox
 * asks. Answers what was queued.
 */
export async function notifyBuyer(
  tx: SqlExecutor, deps: { jobs: Jobs; config: Pick<Config, 'smsAvailable'> }, buyerId: string,
  notice: { email: QueueEmail; sms: Omit<QueueSms, 'to'> },
): Promise<{ emailId: string | null; smsId: string | null }> {
  const channels = await buyerChannels(tx, deps.config, buyerId);
  const emailId = channels.email ? await queueEmail(tx, deps.jobs, notice.email) : null;
  const smsId = channels.smsTo === null ? null : await queueSms(tx, deps.jobs, { ...notice.sms, to: channels.smsTo });
  return { emailId, smsId };
}
