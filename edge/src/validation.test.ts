import { describe, expect, it } from 'vitest';
import { HttpError } from './http/errors.ts';
import {
  createEventSchema, lookupQuerySchema, normalizeUuid, parseBody, parseOptionalBody, parseQuery, pathParamProblem, patchEventSchema, placeHoldSchema, refundSchema,
  salesQuerySchema,
  refuseControlCharacters, requireIdempotencyKey, requireKnownCurrency, signupRole, signupSchema,
} from './validation.ts';

function failure(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

const typeId = '0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a';
const event = {
  name: 'Jazz night',
  startsAt: '2027-07-10T20:00:00Z',
  currency: 'TND',
  ticketTypes: [{ name: 'General', price: 25_000, capacity: 100 }],
};

describe('placeHold', () => {
  it('accepts a type id and a quantity', () => {
    expect(parseBody(placeHoldSchema, { typeId, quantity: 2 })).toEqual({ typeId, quantity: 2 });
  });

  it.each([0, -1, 51, 1.5, '2', null, 1e9])('teaches the quantity range for %p', (quantity) => {
    const error = failure(() => parseBody(placeHoldSchema, { typeId, quantity }));
    expect([error.status, error.code, error.message]).toEqual([400, 'invalid_body', 'quantity must be an integer from 1 to 50']);
  });

  it('says a missing field is required', () => {
    expect(failure(() => parseBody(placeHoldSchema, { typeId })).message).toBe('quantity is required: an integer from 1 to 50');
  });

  it('names an unknown field', () => {
    const error = failure(() => parseBody(placeHoldSchema, { typeId, quantity: 1, quantiy: 2 }));
    expect([error.status, error.code]).toEqual([400, 'unknown_field']);
    expect(error.message).toContain('"quantiy"');
  });

  it('asks for a UUID type id', () => {
    expect(failure(() => parseBody(placeHoldSchema, { typeId: 'general', quantity: 1 })).message).toMatch(/^typeId must be a UUID/);
  });

  it('wants an object', () => {
    for (const body of [null, [], 'x', 3]) expect(failure(() => parseBody(placeHoldSchema, body)).message).toBe('the body must be a JSON object');
  });
});

describe('createEvent', () => {
  it('fills defaults and turns dates into Dates', () => {
    const parsed = parseBody(createEventSchema, event);
    expect(parsed.venue).toBe('');
    expect(parsed.perBuyerLimit).toBe(10);
    expect(parsed.holdTtlSeconds).toBe(480);
    expect(parsed.startsAt.toISOString()).toBe('2027-07-10T20:00:00.000Z');
    expect(parsed.endsAt).toBeNull();
  });

  it('teaches the date format', () => {
    const error = failure(() => parseBody(createEventSchema, { ...event, startsAt: '10/07/2027' }));
    expect(error.message).toBe('startsAt must be an ISO 8601 date-time, e.g. 2027-07-10T20:00:00Z');
  });

  it('refuses event dates outside a sane range of years, saying which field', () => {
    for (const [field, value] of [['startsAt', '0001-01-01T00:00:00Z'], ['startsAt', '9999-12-31T23:59:59Z'], ['saleStartsAt', '0001-07-10T20:00:00Z'], ['endsAt', '2101-01-01T00:00:00Z']] as const) {
      const error = failure(() => parseBody(createEventSchema, { ...event, [field]: value }));
      expect(error.status, `${field} ${value}`).toBe(400);
      expect(error.message).toBe(`${field} must be in the years 2000 to 2100; check the year`);
    }
    expect(failure(() => parseBody(patchEventSchema, { saleEndsAt: '0001-01-01T00:00:00Z' })).message).toBe('saleEndsAt must be in the years 2000 to 2100; check the year');
    expect(parseBody(createEventSchema, { ...event, startsAt: '2100-12-31T23:59:59Z' }).startsAt.getUTCFullYear()).toBe(2100);
  });

  it('wants endsAt after startsAt and the sale window in order', () => {
    expect(failure(() => parseBody(createEventSchema, { ...event, endsAt: '2027-07-10T19:00:00Z' })).message).toBe('endsAt must be after startsAt');
    expect(failure(() => parseBody(createEventSchema, { ...event, saleStartsAt: '2027-06-01T10:00:00Z', saleEndsAt: '2027-06-01T09:00:00Z' })).message)
      .toBe('saleEndsAt must be after saleStartsAt');
  });

  it('names the path of a nested problem', () => {
    const error = failure(() => parseBody(createEventSchema, { ...event, ticketTypes: [{ name: 'A', price: -1, capacity: 1 }] }));
    expect(error.message).toMatch(/^ticketTypes\[0\]\.price/);
    expect(error.extra).toEqual({ field: 'ticketTypes[0].price' });
    const unknown = failure(() => parseBody(createEventSchema, { ...event, ticketTypes: [{ name: 'A', price: 1, capacity: 1, colour: 'red' }] }));
    expect(unknown.message).toContain('"ticketTypes[0].colour"');
  });

  it('needs at least one ticket type', () => {
    expect(failure(() => parseBody(createEventSchema, { ...event, ticketTypes: [] })).message).toMatch(/at least one ticket type/);
  });

  it('wants a 3-letter uppercase currency, and one we know (422 otherwise)', () => {
    expect(failure(() => parseBody(createEventSchema, { ...event, currency: 'eur' })).message).toMatch(/ISO 4217/);
    expect(requireKnownCurrency('TND')).toBe(3);
    expect(requireKnownCurrency('JPY')).toBe(0);
    const error = failure(() => requireKnownCurrency('XYZ'));
    expect([error.status, error.code]).toEqual([422, 'unknown_currency']);
  });
});

describe('signup', () => {
  const base = { email: 'Ada@Example.com', password: 'long enough password', name: 'Ada', role: 'participant' };
  it('lowercases the email', () => {
    expect(parseBody(signupSchema, base).email).toBe('ada@example.com');
  });
  it('teaches the password length', () => {
    expect(failure(() => parseBody(signupSchema, { ...base, password: 'short' })).message).toBe('password must be at least 10 characters long');
  });
  it('refuses roles nobody signs up for with 422', () => {
    expect(signupRole('organizer')).toBe('organizer');
    for (const role of ['staff', 'operator', 'admin', 'king']) {
      const error = failure(() => signupRole(role));
      expect([error.status, error.code]).toEqual([422, 'role_not_allowed']);
    }
  });
});

describe('patchEvent', () => {
  it('needs at least one field', () => {
    expect(failure(() => parseBody(patchEventSchema, {})).message).toMatch(/at least one field/);
  });
  it('refuses fields that cannot change', () => {
    expect(failure(() => parseBody(patchEventSchema, { currency: 'EUR' })).code).toBe('unknown_field');
  });
  it('accepts null to clear the sale window', () => {
    expect(parseBody(patchEventSchema, { saleStartsAt: null })).toEqual({ saleStartsAt: null });
  });
  it('refuses the same ticket type twice', () => {
    expect(failure(() => parseBody(patchEventSchema, { ticketTypes: [{ id: typeId, price: 1 }, { id: typeId, capacity: 2 }] })).message).toMatch(/once/);
  });
});

describe('ids and keys', () => {
  it('normalises UUIDs and refuses anything else', () => {
    expect(normalizeUuid(typeId.toUpperCase())).toBe(typeId);
    expect(normalizeUuid('1; DROP TABLE events')).toBeNull();
    expect(normalizeUuid('')).toBeNull();
  });
  it('wants 1..200 printable characters of Idempotency-Key', () => {
    expect(requireIdempotencyKey('abc-123')).toBe('abc-123');
    for (const bad of ['', ' leading', 'x'.repeat(201), 'tab\there', 'é']) {
      expect(failure(() => requireIdempotencyKey(bad)).code).toBe('idempotency_key_required');
    }
  });
});

describe('control characters', () => {
  it('walks a body nested far deeper than the stack allows without overflowing', () => {
    let deep: unknown = 'leaf\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(failure(() => refuseControlCharacters(deep)).code).toBe('control_characters');
  });

  it('leaves passwords alone: an opaque secret, hashed and never shown', () => {
    expect(() => refuseControlCharacters({ email: 'a@b.test', password: 'tab\there' })).not.toThrow();
  });

  it('refuses percent-encoded control characters in path parameters, and nothing else', () => {
    expect(pathParamProblem({ id: 'abc%00' })?.code).toBe('control_characters');
    expect(pathParamProblem({ id: 'abc%C2%85' })?.code).toBe('control_characters');
    expect(pathParamProblem({ id: 'abc%20def' })).toBeNull();
    expect(pathParamProblem({ id: typeId })).toBeNull();
  });

  it('reads an optional body: none is {}, one sent must be JSON', () => {
    expect(parseOptionalBody(refundSchema, null, '')).toEqual({ refundUsedTickets: false });
    expect(parseOptionalBody(refundSchema, Buffer.from('{"refundUsedTickets":true}'), 'application/json')).toEqual({ refundUsedTickets: true });
    expect(failure(() => parseOptionalBody(refundSchema, Buffer.from('{'), 'application/json')).code).toBe('malformed_json');
    expect(failure(() => parseOptionalBody(refundSchema, Buffer.from('{}'), 'text/plain')).status).toBe(415);
  });
});

describe('parseQuery', () => {
  it('answers 400 invalid_query with the schema\'s message and the field, and reads the first of a repeated parameter', () => {
    expect(parseQuery(salesQuerySchema, new URLSearchParams('bucket=hour&bucket=year')).bucket).toBe('hour');
    expect(parseQuery(salesQuerySchema, new URLSearchParams('')).bucket).toBe('minute');
    try {
      parseQuery(salesQuerySchema, new URLSearchParams('bucket=year'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'invalid_query', message: 'bucket must be "minute", "hour" or "day"', extra: { field: 'bucket' } });
    }
    expect(() => parseQuery(lookupQuerySchema, new URLSearchParams('q=a'))).toThrow(/2 to 100 characters/);
    expect(parseQuery(lookupQuerySchema, new URLSearchParams('q=a&orderId=0B6E7A3C-2D4F-4C1A-9A57-3C2B1F0E9D8A')).orderId).toBe('0b6e7a3c-2d4f-4c1a-9a57-3c2b1f0e9d8a');
    expect(() => parseQuery(lookupQuerySchema, new URLSearchParams('orderId=12'))).toThrow(/orderId must be a UUID/);
  });
});
