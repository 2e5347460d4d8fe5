import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/ports.ts';
import { clearRedisPrefix, testRedisPrefix, testRedisUrl } from '../testing/redis.ts';
import { leaseStoreContract } from './lease_store.contract.ts';
import { RedisLeaseStore } from './redis_lease_store.ts';

const prefix = testRedisPrefix();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
afterAll(() => clearRedisPrefix(prefix));

leaseStoreContract('redis', async () => ({
  store: await RedisLeaseStore.connect({ url: testRedisUrl(), keyPrefix: prefix }),
  advance: sleep,
}));

describe('RedisLeaseStore', () => {
  it('keeps a lease under tickr:lease:<shard> by default, and under the given prefix otherwise', async () => {
    expect(new RedisLeaseStore({ url: testRedisUrl() }).key(7)).toBe('tickr:lease:7');
    const store = await RedisLeaseStore.connect({ url: testRedisUrl(), keyPrefix: prefix });
    expect(store.key(7)).toBe(`${prefix}lease:7`);
    await store.close();
  });

  it('extends the lease when its holder acquires it again', async () => {
    const store = await RedisLeaseStore.connect({ url: testRedisUrl(), keyPrefix: prefix });
    expect(await store.acquire(10, 'a', 300)).toBe(true);
    await sleep(200);
    expect(await store.acquire(10, 'a', 300)).toBe(true);
    await sleep(200);
    expect(await store.holder(10)).toBe('a');
    await store.close();
  });

  it('refuses the renewal of a node whose lapsed lease another node took', async () => {
    const a = await RedisLeaseStore.connect({ url: testRedisUrl(), keyPrefix: prefix });
    const b = await RedisLeaseStore.connect({ url: testRedisUrl(), keyPrefix: prefix });
    expect(await a.acquire(11, 'node-a', 150)).toBe(true);
    expect(await b.acquire(11, 'node-b', 1_000)).toBe(false);
    await sleep(250);
    expect(await b.acquire(11, 'node-b', 1_000)).toBe(true);
    expect(await a.renew(11, 'node-a', 1_000)).toBe(false);
    await a.release(11, 'node-a');
    expect(await a.holder(11)).toBe('node-b');
    await Promise.all([a.close(), b.close()]);
  });

  it('fails a command at once while Redis is unreachable, instead of queueing it', async () => {
    const store = new RedisLeaseStore({ url: `redis://127.0.0.1:${await freePort()}` });
    const started = Date.now();
    await expect(store.acquire(1, 'a', 1_000)).rejects.toThrow();
    await expect(store.renew(1, 'a', 1_000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(200);
    await store.close();
  });

  it('fails commands at once when the connection drops, and works again once Redis is back', async () => {
    const proxy = await tcpProxy(new URL(testRedisUrl()));
    const store = await RedisLeaseStore.connect({ url: proxy.url, keyPrefix: prefix });
    expect(await store.acquire(12, 'a', 5_000)).toBe(true);
    await proxy.cut();
    const started = Date.now();
    await expect(store.renew(12, 'a', 5_000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(200);
    await proxy.restore();
    await expect.poll(() => store.renew(12, 'a', 5_000).catch(() => false), { timeout: 3_000, interval: 50 }).toBe(true);
    await store.close();
    await proxy.close();
  });

  it('fails a renewal whose reply comes later than the command timeout', async () => {
    const proxy = await tcpProxy(new URL(testRedisUrl()));
    const store = await RedisLeaseStore.connect({ url: proxy.url, keyPrefix: prefix, commandTimeoutMs: 200 });
    expect(await store.acquire(13, 'a', 5_000)).toBe(true);
    proxy.stall();
    const started = Date.now();
    await expect(store.renew(13, 'a', 5_000)).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(1_000);
    await store.close();
    await proxy.close();
  });
});

/**
 * A TCP hop between a store and the real Redis, so a test can take Redis
 * away (`cut`: drop connections and refuse new ones) or make it slow
 * (`stall`: replies stop coming) without touching the shared server.
 */
async function tcpProxy(target: URL) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let stalled = false;
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.on('data', (chunk: Buffer) => {
          if (!stalled) client.write(chunk);
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  };
  await listen();
  return { url: `redis://127.0.0.1:${port}`, cut, restore: listen, stall: () => (stalled = true), close: cut };
}
