import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../auth/tokens.ts';
import { HttpError } from './errors.ts';
import { EdgeMetrics } from './metrics.ts';
import { createRouter } from './route.ts';

/**
 * Every answer of the edge carries the security headers, errors included
 * (security issue #11), and HSTS only when the deployment is behind TLS.
 */

type Running = { base: string; socket: uWS.us_listen_socket };
const running: Running[] = [];

async function start(hsts: boolean): Promise<string> {
  const app = uWS.App();
  const router = createRouter(app, { tokens: createTokens(new Uint8Array(32).fill(7), 60), log: () => {}, metrics: new EdgeMetrics(), hsts, described: () => true });
  router.route('get', '/json', () => ({ status: 200, body: { ok: true } }));
  router.route('get', '/csv', () => ({ status: 200, body: 'a,b\n', headers: { 'content-type': 'text/csv; charset=utf-8' } }));
  router.route('get', '/refused', () => {
    throw new HttpError(409, 'sold_out', 'Nothing left.');
  });
  router.route('get', '/bug', () => {
    throw new Error('a bug');
  });
  router.route('post', '/body', () => ({ status: 200, body: {} }), { body: true });
  router.finish();
  return new Promise((resolve) => {
    app.listen('127.0.0.1', 0, (socket) => {
      const port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
      const base = `http://127.0.0.1:${port}`;
      running.push({ base, socket });
      resolve(base);
    });
  });
}

let plain: string;
let secure: string;

beforeAll(async () => {
  [plain, secure] = [await start(false), await start(true)];
});

afterAll(() => {
  for (const r of running) uWS.us_listen_socket_close(r.socket);
});

const expected = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

function securityOf(response: Response): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of [...Object.keys(expected), 'strict-transport-security']) out[name] = response.headers.get(name);
  return out;
}

describe('security headers', () => {
  it('are on a JSON answer, a text answer, a refusal, a 500, a 404, a 405 and a 415', async () => {
    const answers = await Promise.all([
      fetch(`${plain}/json`), fetch(`${plain}/csv`), fetch(`${plain}/refused`), fetch(`${plain}/bug`), fetch(`${plain}/nowhere`),
      fetch(`${plain}/json`, { method: 'DELETE' }), fetch(`${plain}/body`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 409, 500, 404, 405, 415]);
    for (const answer of answers) expect(securityOf(answer)).toEqual({ ...expected, 'strict-transport-security': null });
    expect(answers.map((a) => a.headers.get('content-type')).slice(0, 3)).toEqual(['application/json', 'text/csv; charset=utf-8', 'application/json']);
  });

  it('add HSTS behind TLS (TICKR_WEB_SECURE_COOKIES=1), on errors too', async () => {
    for (const path of ['/json', '/refused']) {
      const answer = await fetch(secure + path);
      expect(securityOf(answer)).toEqual({ ...expected, 'strict-transport-security': 'max-age=31536000; includeSubDomains' });
    }
  });
});
