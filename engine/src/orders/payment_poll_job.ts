import { clictopayPollSeconds, clictopayPollsMax } from '../constants.ts';
import type { JobHandler, Jobs, SqlExecutor } from '../jobs/queues.ts';
import { providersFor } from '../payments/providers.ts';
import type { PaymentProviderName } from '../payments/provider.ts';
import { paymentFailed, paymentSucceeded } from './payment_events.ts';
import { selectPayment } from './payments_db.ts';

/** Polls every `clictopayPollSeconds`, at most `clictopayPollsMax` times: past any hold's life, then the payment is left as it is. */
export async function schedulePaymentPoll(jobs: Jobs, paymentId: string, attempt: number, now: number, tx?: SqlExecutor): Promise<void> {
  if (attempt > clictopayPollsMax) return;
  await jobs.send('payment-poll', { paymentId, attempt }, { key: `${paymentId}:${attempt}`, startAfter: new Date(now + clictopayPollSeconds * 1000), ...(tx ? { tx } : {}) });
}

/**
 * `payment-poll`: asks a redirect provider where a payment stands and feeds
 * the answer into the one confirmation path (the same as the buyer's return).
 * The notice id is the provider's final state, so a poll and a return that
 * both see "paid" confirm once.
 */
export const paymentPollJob: JobHandler<'payment-poll'> = async (deps, { paymentId, attempt }) => {
  const payment = await selectPayment(deps.db, paymentId);
  if (payment === null) throw new Error('no such payment');
  if (payment.status !== 'created' || payment.providerRef === null) return;
  const provider = providersFor(deps.config).get(payment.provider as PaymentProviderName);
  if (provider.status === undefined) return;
  const state = await provider.status(payment.providerRef);
  if (state === 'pending') return schedulePaymentPoll(deps.jobs, paymentId, attempt + 1, deps.now());
  await confirmFromProviderState(deps, payment.provider, payment.providerRef, state);
};

/** A provider's answer about a payment, as a notice: shared by the return URL and the poll. */
export async function confirmFromProviderState(
  deps: Parameters<typeof paymentFailed>[0] & { jobs: Jobs },
  provider: string,
  providerRef: string,
  state: 'paid' | 'declined',
): Promise<void> {
  const noticeId = `${providerRef}:${state}`;
  if (state === 'paid') await paymentSucceeded(deps.db, { provider, noticeId, providerRef });
  else await paymentFailed(deps, { provider, noticeId, providerRef, final: true, reason: `${provider} declined the payment` });
}
