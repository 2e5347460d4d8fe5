import type { OrderView, Provider } from './api';
import type { MessageKey } from './i18n';

/**
 * Where an order stands for its buyer (#15). Payment confirmation and ticket
 * issue are jobs, so for a moment after paying the order is still `pending`
 * while its payment has `succeeded`: that is "payment received, issuing
 * tickets…", never "waiting for payment" with a Pay button. `returnedPaid`:
 * the provider sent the buyer back saying the payment succeeded (Stripe's
 * `redirect_status=succeeded`) before its webhook arrived; it only changes
 * what is shown, never what is sold.
 */
export type OrderStage = 'awaiting_payment' | 'issuing' | 'issued' | 'declined' | 'expired' | 'refunded';

export function orderStage(o: Pick<OrderView, 'status' | 'payment'>, ticketCount: number, returnedPaid = false): OrderStage {
  const received = o.payment?.status === 'succeeded';
  switch (o.status) {
    case 'refunded': return 'refunded';
    case 'ticketed': return ticketCount > 0 ? 'issued' : 'issuing';
    case 'paid': return 'issuing';
    case 'pending': return received || returnedPaid ? 'issuing' : 'awaiting_payment';
    // A payment that succeeded after a decline or after the hold lapsed is being confirmed (or refunded, if the stock is gone).
    case 'failed': return received ? 'issuing' : 'declined';
    case 'expired': return received ? 'issuing' : 'expired';
  }
}

/** The page looks again until this is over. */
export function isSettling(stage: OrderStage): boolean {
  return stage === 'issuing' || stage === 'awaiting_payment';
}

export const providerNames: Record<Provider, MessageKey> = {
  simulated: 'hold.providerSimulated', stripe: 'hold.providerStripe', clictopay: 'hold.providerClictopay', konnect: 'hold.providerKonnect',
};
