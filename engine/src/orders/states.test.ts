import { describe, expect, it } from 'vitest';
import { buyerMayRefund } from './refund.ts';
import { canMove, orderStatuses, sourcesOf } from './states.ts';

describe('order states', () => {
  it('allows exactly the documented moves', () => {
    const allowed = orderStatuses.flatMap((from) => orderStatuses.filter((to) => canMove(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual([
      'expired->paid', 'failed->paid', 'paid->refunded', 'paid->ticketed',
      'pending->expired', 'pending->failed', 'pending->paid', 'ticketed->refunded',
    ]);
  });

  it('never leaves refunded, and never goes back to pending', () => {
    expect(orderStatuses.filter((to) => canMove('refunded', to))).toEqual([]);
    expect(sourcesOf('pending')).toEqual([]);
  });
});

describe('buyer refund policy', () => {
  const startsAt = new Date('2027-07-10T20:00:00Z');
  const day = 86_400_000;
  it('refuses with "none", allows "always" until the start, "until" up to N days before', () => {
    expect(buyerMayRefund({ refundPolicy: 'none', refundUntilDays: null, startsAt }, startsAt.getTime() - 30 * day)).toBe(false);
    expect(buyerMayRefund({ refundPolicy: 'always', refundUntilDays: null, startsAt }, startsAt.getTime() - 1)).toBe(true);
    expect(buyerMayRefund({ refundPolicy: 'always', refundUntilDays: null, startsAt }, startsAt.getTime())).toBe(false);
    const until = { refundPolicy: 'until' as const, refundUntilDays: 7, startsAt };
    expect(buyerMayRefund(until, startsAt.getTime() - 7 * day - 1)).toBe(true);
    expect(buyerMayRefund(until, startsAt.getTime() - 7 * day)).toBe(false);
  });
});
