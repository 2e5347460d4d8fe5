import { describe, expect, it } from 'vitest';
import { promoRefusal } from './promo.ts';
import type { PromoCodeRow } from './promo_codes_db.ts';

const now = Date.parse('2027-03-01T12:00:00Z');
const code = (over: Partial<PromoCodeRow> = {}): PromoCodeRow => ({
  id: 'c', eventId: 'e', code: 'SPRING', percentOff: 10, amountOff: null, typeId: null, maxUses: null,
  startsAt: null, endsAt: null, disabledAt: null, createdAt: new Date(now), uses: 0, ...over,
});

describe('promoRefusal', () => {
  it('accepts a live code for any type when it names none', () => {
    expect(promoRefusal(code(), 'any-type', now)).toBeNull();
  });

  it('refuses a missing or disabled code alike, so a disabled one cannot be told apart', () => {
    expect(promoRefusal(null, 't', now)?.code).toBe('promo_invalid');
    expect(promoRefusal(code({ disabledAt: new Date(now - 1) }), 't', now)?.code).toBe('promo_invalid');
  });

  it('honours the window: from startsAt (inclusive) until endsAt (exclusive)', () => {
    const window = { startsAt: new Date(now), endsAt: new Date(now + 60_000) };
    expect(promoRefusal(code(window), 't', now - 1)?.code).toBe('promo_not_started');
    expect(promoRefusal(code(window), 't', now)).toBeNull();
    expect(promoRefusal(code(window), 't', now + 59_999)).toBeNull();
    expect(promoRefusal(code(window), 't', now + 60_000)?.code).toBe('promo_expired');
  });

  it('refuses another ticket type than the code\'s', () => {
    expect(promoRefusal(code({ typeId: 'vip' }), 'ga', now)?.code).toBe('promo_not_for_type');
    expect(promoRefusal(code({ typeId: 'vip' }), 'vip', now)).toBeNull();
  });

  it('refuses once the uses reach the cap (409), and never caps a code without one', () => {
    expect(promoRefusal(code({ maxUses: 3, uses: 2 }), 't', now)).toBeNull();
    const full = promoRefusal(code({ maxUses: 3, uses: 3 }), 't', now);
    expect([full?.status, full?.code]).toEqual([409, 'promo_used_up']);
    expect(promoRefusal(code({ maxUses: null, uses: 1_000_000 }), 't', now)).toBeNull();
  });
});
