import { describe, expect, it } from 'vitest';
import { foreignOrigin } from './origin.ts';

const site = new URL('http://shop.example:5173/api/events');

function request(method: string, origin?: string): Request {
  return new Request(site, { method, headers: origin === undefined ? {} : { origin } });
}

describe('the API proxy refuses state changes from other origins', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses %s from another origin with a JSON error', async (method) => {
    const refusal = foreignOrigin(request(method, 'https://evil.example'), site);
    expect(refusal?.status).toBe(403);
    expect(await refusal!.json()).toMatchObject({ error: { code: 'foreign_origin' } });
  });

  it('refuses the opaque origin "null" and a different port or scheme of the same host', () => {
    for (const origin of ['null', 'http://shop.example:3000', 'https://shop.example:5173', 'http://shop.example']) {
      expect(foreignOrigin(request('POST', origin), site)?.status).toBe(403);
    }
  });

  it('lets its own pages through', () => {
    expect(foreignOrigin(request('POST', 'http://shop.example:5173'), site)).toBeNull();
  });

  it('lets a request without Origin through: providers\' webhooks come from servers, not browsers', () => {
    expect(foreignOrigin(request('POST'), new URL('http://shop.example:5173/api/webhooks/stripe'))).toBeNull();
  });

  it('lets reads through whatever their origin', () => {
    expect(foreignOrigin(request('GET', 'https://evil.example'), site)).toBeNull();
    expect(foreignOrigin(request('HEAD', 'https://evil.example'), site)).toBeNull();
  });
});
