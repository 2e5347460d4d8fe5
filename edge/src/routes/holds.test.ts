import { describe, expect, it } from 'vitest';
import { holdQuantityMax } from '../../../engine/src/constants.ts';
import { placeHoldSchema } from '../validation.ts';
import { holdView, plainHold } from './holds.ts';

const typeId = '0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a';

/** Bodies near the edge of what a single hold may be: the hand-written check must never accept one the schema refuses. */
const bodies: unknown[] = [
  { typeId, quantity: 1 },
  { typeId, quantity: holdQuantityMax },
  { typeId: typeId.toUpperCase(), quantity: 2 },
  { quantity: 3, typeId },
  { typeId, quantity: 0 },
  { typeId, quantity: holdQuantityMax + 1 },
  { typeId, quantity: 1.5 },
  { typeId, quantity: '1' },
  { typeId, quantity: -1 },
  { typeId, quantity: Number.NaN },
  { typeId, quantity: Infinity },
  { typeId },
  { quantity: 1 },
  { typeId, quantity: 1, extra: true },
  { typeId, quantity: 1, items: [] },
  { typeId: 'not-a-uuid', quantity: 1 },
  { typeId: `${typeId} `, quantity: 1 },
  { typeId: '0b6e7a3c-2d4f-0c1a-9a57-3c2b1f0e9d8a', quantity: 1 },
  { typeId: '0b6e7a3c-2d4f-4c1a-1a57-3c2b1f0e9d8a', quantity: 1 },
  { typeId: 42, quantity: 1 },
  JSON.parse(`{"typeId":"${typeId}","__proto__":1}`),
  JSON.parse(`{"typeId":"${typeId}","quantity":1,"__proto__":{"a":1}}`),
  [typeId, 1],
  null,
  'hold',
  1,
];

describe('plainHold, the hot route\'s check of a single hold', () => {
  it('accepts exactly what placeHoldSchema accepts, with the same values', () => {
    for (const body of bodies) {
      const schema = placeHoldSchema.safeParse(body);
      const plain = plainHold(body);
      expect(plain, JSON.stringify(body)).toEqual(schema.success ? schema.data : null);
    }
  });

  it('agrees with placeHoldSchema on every mix of near-valid fields', () => {
    const typeIds: unknown[] = [typeId, typeId.toUpperCase(), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '0b6e7a3c-2d4f-9c1a-9a57-3c2b1f0e9d8a', '0b6e7a3c2d4f4c1a9a573c2b1f0e9d8a', '', null, undefined, ['x']];
    const quantities: unknown[] = [1, 2, holdQuantityMax, 0, -0, holdQuantityMax + 1, 2.5, 1e300, '2', true, null, undefined, Number.MAX_SAFE_INTEGER + 2];
    const extras: Record<string, unknown>[] = [{}, { note: 'x' }, { items: [] }, { typeid: typeId }];
    for (const t of typeIds) {
      for (const q of quantities) {
        for (const extra of extras) {
          const body: Record<string, unknown> = { ...extra };
          if (t !== undefined) body.typeId = t;
          if (q !== undefined) body.quantity = q;
          const schema = placeHoldSchema.safeParse(body);
          expect(plainHold(body), JSON.stringify(body)).toEqual(schema.success ? schema.data : null);
        }
      }
    }
  });

  it('accepts a hold in its usual shape (the fast path is taken)', () => {
    expect(plainHold({ typeId, quantity: 2 })).toEqual({ typeId, quantity: 2 });
  });
});

describe('holdView', () => {
  it('writes each hold\'s own expiry, in the order answers come (same millisecond, then others)', () => {
    const at = [Date.UTC(2027, 6, 10, 20), Date.UTC(2027, 6, 10, 20), Date.UTC(2027, 6, 10, 20, 0, 0, 1), Date.UTC(2027, 6, 10, 20)];
    const views = at.map((expiresAt) => holdView({ holdId: 'h', eventId: 'e', typeId, qty: 1, buyer: 'b', price: 5_000, currency: 'EUR', status: 'held', expiresAt }));
    expect(views.map((v) => v.expiresAt)).toEqual(['2027-07-10T20:00:00.000Z', '2027-07-10T20:00:00.000Z', '2027-07-10T20:00:00.001Z', '2027-07-10T20:00:00.000Z']);
  });
});
