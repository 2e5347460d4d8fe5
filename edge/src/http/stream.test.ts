import { request } from 'node:http';
import uWS from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../auth/tokens.ts';
import { HttpError } from './errors.ts';
import { EdgeMetrics } from './metrics.ts';
import { createRouter, Stream } from './route.ts';

/**
 * A `Stream` reply (the attendee CSV): every chunk arrives in order, however
 * large the answer and however slowly the client reads; a refusal before the
 * first chunk is the one error shape; a client that goes away mid-answer
 * closes the producer (a database cursor would be released).
 */

const chunkCount = 2_000;
/** 8 KiB a chunk: 16 MB in all, well past what a socket buffers, so the writer must wait for the client. */
const chunk = (i: number) => `${String(i).padStart(8, '0')}${'x'.repeat(8 * 1024 - 9)}\n`;
let closed = 0;
let produced = 0;
let base: string;
let socket: uWS.us_listen_socket;

async function* many(): AsyncGenerator<string> {
  try {
    for (let i = 0; i < chunkCount; i++) {
      produced++;
      yield chunk(i);
    }
  } finally {
    closed++;
  }
}

beforeAll(async () => {
  const app = uWS.App();
  const router = createRouter(app, { tokens: createTokens(new Uint8Array(32).fill(7), 60), log: () => {}, metrics: new EdgeMetrics(), described: () => true });
  router.route('get', '/many', () => ({ status: 200, body: new Stream(many()), headers: { 'content-type': 'text/csv; charset=utf-8' } }));
  router.route('get', '/refused', () => ({
    status: 200,
    // eslint-disable-next-line require-yield -- refuses before its first chunk
    body: new Stream((async function* () { throw new HttpError(404, 'event_not_found', 'No such event.'); })()),
  }));
  router.finish();
  base = await new Promise((resolve) => app.listen('127.0.0.1', 0, (s) => {
    socket = s as uWS.us_listen_socket;
    resolve(`http://127.0.0.1:${uWS.us_socket_local_port(s as unknown as uWS.us_socket)}`);
  }));
});

afterAll(() => uWS.us_listen_socket_close(socket));

describe('a Stream reply', () => {
  it('arrives whole and in order, with its headers, to a client that reads slowly', async () => {
    const answer = await fetch(`${base}/many`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const reader = answer.body!.getReader();
    const parts: Uint8Array[] = [];
    for (let n = 0; ; n++) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      // Now and then the client dawdles, so the server's buffer fills and it must wait for onWritable.
      if (n % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const text = Buffer.concat(parts).toString('utf8');
    const lines = text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(chunkCount);
    expect(lines.every((line, i) => line.startsWith(String(i).padStart(8, '0')))).toBe(true);
    expect(closed).toBe(1);
  });

  it('answers a refusal before its first chunk with the one error shape', async () => {
    const answer = await fetch(`${base}/refused`);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: { code: 'event_not_found', message: 'No such event.' } });
  });

  it('closes the producer when the client goes away mid-answer, without producing the rest', async () => {
    const before = { closed, produced };
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base}/many`, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (bytes > 256 * 1024) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', () => {});
      req.on('close', () => resolve());
      setTimeout(() => reject(new Error('no data')), 10_000).unref();
      req.end();
    });
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(before.closed + 1);
    expect(produced - before.produced).toBeLessThan(chunkCount);
  });
});
