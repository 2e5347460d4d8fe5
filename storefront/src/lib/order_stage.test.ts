import { describe, expect, it } from 'vitest';
import type { OrderView } from './api';
import { isSettling, orderStage } from './order_stage';

const payment = (status: string): OrderView['payment'] => ({ id: 'p', status, providerRef: 'sim_1', redirectUrl: null, clientSecret: null });

describe('orderStage (#15)', () => {
  it('says "issuing" right after paying, while the order is still pending, never "waiting for payment"', () => {
    expect(orderStage({ status: 'pending', payment: payment('succeeded') }, 0)).toBe('issuing');
    expect(orderStage({ status: 'paid', payment: payment('succeeded') }, 0)).toBe('issuing');
    expect(orderStage({ status: 'ticketed', payment: payment('succeeded') }, 0)).toBe('issuing');
  });

  it('waits for payment only while nothing says it was paid', () => {
    expect(orderStage({ status: 'pending', payment: payment('created') }, 0)).toBe('awaiting_payment');
    expect(orderStage({ status: 'pending', payment: null }, 0)).toBe('awaiting_payment');
    expect(orderStage({ status: 'pending', payment: payment('created') }, 0, true)).toBe('issuing');
  });

  it('is issued once the tickets are there, and settles on declines, expiries and refunds', () => {
    expect(orderStage({ status: 'ticketed', payment: payment('succeeded') }, 2)).toBe('issued');
    expect(orderStage({ status: 'failed', payment: payment('failed') }, 0)).toBe('declined');
    expect(orderStage({ status: 'failed', payment: payment('succeeded') }, 0)).toBe('issuing');
    expect(orderStage({ status: 'expired', payment: payment('created') }, 0)).toBe('expired');
    expect(orderStage({ status: 'refunded', payment: payment('refunded') }, 2)).toBe('refunded');
    expect(['issued', 'declined', 'expired', 'refunded'].map((s) => isSettling(s as never))).toEqual([false, false, false, false]);
    expect(isSettling('issuing')).toBe(true);
  });
});
