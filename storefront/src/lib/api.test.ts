import { describe, expect, it } from 'vitest';
import { ApiError, createApi, type Fetch } from './api.ts';
import { translator } from './i18n/index.ts';

function answering(status: number, body: string, contentType = 'application/json'): Fetch {
  return (async () => new Response(body, { status, headers: { 'content-type': contentType } })) as Fetch;
}

async function failure(fetch: Fetch): Promise<ApiError> {
  try {
    await createApi(fetch, 'http://edge').events();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a failure');
}

describe('api errors as sentences', () => {
  it('translates an error code the dictionary knows', async () => {
    const error = await failure(answering(409, JSON.stringify({ error: { code: 'sold_out', message: 'Not enough tickets…' } })));
    expect(error.status).toBe(409);
    expect(error.sentence(translator('fr'))).toMatch(/^Il ne reste pas assez de billets/);
    expect(error.sentence(translator('ar'))).toMatch(/لا يتبقى/);
  });

  it('says how many tickets the buyer may still take when over the per-person limit (#15)', async () => {
    const limit = (remaining: number) => failure(answering(409, JSON.stringify({ error: { code: 'limit_reached', message: 'over', remaining } })));
    expect((await limit(3)).sentence(translator('en'))).toContain('you can take 3 more tickets');
    expect((await limit(1)).sentence(translator('en'))).toContain('only 1 more ticket');
    expect((await limit(3)).sentence(translator('fr'))).toContain('vous pouvez encore en prendre 3');
    expect((await limit(1)).sentence(translator('fr'))).toContain('un seul');
    expect((await limit(2)).sentence(translator('ar'))).toContain('تذكرتين أخريين');
    expect((await limit(3)).sentence(translator('ar'))).toContain('3 تذاكر أخرى');
    expect((await limit(0)).sentence(translator('en'))).toMatch(/^You already have as many tickets/);
    // An edge without the number (an older one) still gets the general sentence.
    const plain = await failure(answering(409, JSON.stringify({ error: { code: 'limit_reached', message: 'over' } })));
    expect(plain.sentence(translator('en'))).toMatch(/per-person limit/);
  });

  it('falls back to the edge\'s own sentence for a code it does not know', async () => {
    const error = await failure(answering(400, JSON.stringify({ error: { code: 'invalid_body', message: 'quantity must be an integer from 1 to 10', field: 'quantity' } })));
    expect(error.sentence(translator('en'))).toBe('quantity must be an integer from 1 to 10');
    expect(error.detail).toEqual({ field: 'quantity' });
  });

  it('never shows a proxy\'s HTML page or JSON: a 5xx without the error shape is "something went wrong"', async () => {
    const error = await failure(answering(502, '<html>Bad gateway</html>', 'text/html'));
    expect(error.code).toBe('unexpected');
    expect(error.sentence(translator('en'))).toBe('Something went wrong on our side; try again in a moment.');
  });

  it('says the server cannot be reached when the request never got an answer', async () => {
    const error = await failure((async () => { throw new TypeError('fetch failed'); }) as Fetch);
    expect(error.code).toBe('unreachable');
    expect(error.sentence(translator('en'))).toContain('cannot be reached');
  });

  it('sends the token, the idempotency key and the buyer\'s address', async () => {
    let seen: Headers | null = null;
    const fetch = (async (_url: string, init: RequestInit) => {
      seen = new Headers(init.headers);
      return new Response(JSON.stringify({ holdId: 'h' }), { status: 201 });
    }) as Fetch;
    await createApi(fetch, 'http://edge', 'tok', '203.0.113.9').placeHold('e', { typeId: 't', quantity: 2 }, 'key-1', 'adm');
    expect(seen!.get('authorization')).toBe('Bearer tok');
    expect(seen!.get('idempotency-key')).toBe('key-1');
    expect(seen!.get('admission-token')).toBe('adm');
    expect(seen!.get('x-forwarded-for')).toBe('203.0.113.9');
  });
});

describe('a token the edge refuses', () => {
  const refused = JSON.stringify({ error: { code: 'unauthenticated', message: 'Your access token is invalid or expired; sign in again.' } });

  async function refusals(fetch: Fetch, token: string | null): Promise<number> {
    let count = 0;
    await createApi(fetch, 'http://edge', token, null, () => count++).orders().catch(() => {});
    return count;
  }

  it('ends the session when the edge refuses the token that was sent', async () => {
    expect(await refusals(answering(401, refused), 'tok')).toBe(1);
  });

  it('leaves it alone for other failures, or when no token was sent', async () => {
    expect(await refusals(answering(401, refused), null)).toBe(0);
    expect(await refusals(answering(401, JSON.stringify({ error: { code: 'invalid_credentials', message: 'wrong' } })), 'tok')).toBe(0);
    expect(await refusals(answering(403, JSON.stringify({ error: { code: 'forbidden', message: 'no' } })), 'tok')).toBe(0);
  });
});

describe('poster upload', () => {
  it('sends the file\'s bytes as the raw body with the file\'s type, and the edge\'s refusal as a sentence', async () => {
    const seen: { method?: string; type?: string | null; body?: Uint8Array } = {};
    const fetchFn = (async (_url: string, init: RequestInit) => {
      seen.method = init.method;
      seen.type = new Headers(init.headers).get('content-type');
      seen.body = new Uint8Array(await new Response(init.body).arrayBuffer());
      return new Response(JSON.stringify({ error: { code: 'not_an_image', message: 'The file is not an image Tickr can read' } }), { status: 422, headers: { 'content-type': 'application/json' } });
    }) as Fetch;
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const error = (await createApi(fetchFn, 'http://edge', 'token').uploadPoster('e1', bytes, 'image/png').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(seen).toEqual({ method: 'PUT', type: 'image/png', body: bytes });
    expect(error.code).toBe('not_an_image');
    expect(error.sentence(translator('fr'))).toMatch(/^Ce fichier n’est pas une image lisible/);
  });
});
