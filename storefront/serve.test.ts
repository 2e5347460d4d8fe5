import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createStorefrontServer, secureWeb, storefrontPort, webLimits, type WebLimits } from './serve.ts';

/** Short bounds so the test does not wait ten seconds; the production values are in constants.ts. */
const quick: WebLimits = { ...webLimits, headersTimeoutMs: 400, requestTimeoutMs: 800, timeoutCheckMs: 100 };

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listening(secure: boolean, limits: WebLimits = quick): Promise<number> {
  const server = createStorefrontServer((_req, res) => res.end('page'), secure, limits);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Opens a connection and resolves with everything the server sent once it closes it. */
function open(port: number): { socket: Socket; closed: Promise<string>; connected: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  return {
    socket,
    connected: new Promise((resolve) => socket.once('connect', () => resolve())),
    closed: new Promise((resolve) => socket.once('close', () => resolve(received))),
  };
}

describe('the storefront server', () => {
  it('closes a connection that trickles its headers and never finishes them (slowloris)', async () => {
    const port = await listening(false);
    const { socket, closed, connected } = open(port);
    await connected;
    socket.write('GET / HTTP/1.1\r\nHost: shop.example\r\n');
    // A header line now and then keeps the connection busy but never ends the headers.
    const trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: 1\r\n`), 50);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
    }
  });

  it('drops connections past its cap', async () => {
    const port = await listening(false, { ...quick, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, connectionsMax: 2 });
    const first = open(port);
    const second = open(port);
    await Promise.all([first.connected, second.connected]);
    // The first two are held open (no request yet); the third is closed by the server without an answer.
    const third = open(port);
    expect(await third.closed).toBe('');
    expect(first.socket.destroyed).toBe(false);
  });

  it('sends the security headers on every answer, HSTS only behind TLS', async () => {
    const plain = await fetch(`http://127.0.0.1:${await listening(false)}/any/file.js`);
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(plain.headers.get('x-frame-options')).toBe('DENY');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const secure = await fetch(`http://127.0.0.1:${await listening(true)}/`);
    expect(secure.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}$/);
  });
});

describe('the storefront settings', () => {
  it('reads TICKR_WEB_SECURE_COOKIES as 1 or 0 and stops at anything else', () => {
    expect(secureWeb({})).toBe(false);
    expect(secureWeb({ TICKR_WEB_SECURE_COOKIES: '0' })).toBe(false);
    expect(secureWeb({ TICKR_WEB_SECURE_COOKIES: '1' })).toBe(true);
    expect(() => secureWeb({ TICKR_WEB_SECURE_COOKIES: 'yes' })).toThrow(/must be "1" .* or "0", got "yes"/);
    expect(() => storefrontPort({ TICKR_WEB_PORT: '5173', TICKR_WEB_SECURE_COOKIES: 'true' })).toThrow(/TICKR_WEB_SECURE_COOKIES/);
  });
});
