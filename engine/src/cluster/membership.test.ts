import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/ports.ts';
import { clearRedisPrefix, testRedisPrefix, testRedisUrl } from '../testing/redis.ts';
import { Membership, type MembershipOptions } from './membership.ts';

const filePrefix = testRedisPrefix();
afterAll(() => clearRedisPrefix(filePrefix));

let cluster = 0;
/** Each test a cluster of its own: a prefix under the file's. */
function clusterOptions() {
  const keyPrefix = `${filePrefix}c${cluster++}:`;
  return (nodeId: string, extra: Partial<MembershipOptions> = {}): MembershipOptions => ({
    url: testRedisUrl(),
    keyPrefix,
    self: { nodeId, internalUrl: `http://${nodeId}.internal:4000`, startedAt: 1_700_000_000_000 },
    heartbeatMs: 100,
    nodeTtlMs: 400,
    ...extra,
  });
}

const ids = (m: Membership) => m.liveNodes().then((nodes) => nodes.map((n) => n.nodeId));

describe('Membership', () => {
  it('lets two members see each other, with what each announced', async () => {
    const node = clusterOptions();
    const a = await Membership.join(node('node-a'));
    const b = await Membership.join(node('node-b'));
    const expected = [
      { nodeId: 'node-a', internalUrl: 'http://node-a.internal:4000', startedAt: 1_700_000_000_000 },
      { nodeId: 'node-b', internalUrl: 'http://node-b.internal:4000', startedAt: 1_700_000_000_000 },
    ];
    expect(await a.liveNodes()).toEqual(expected);
    expect(await b.liveNodes()).toEqual(expected);
    await Promise.all([a.leave(), b.leave()]);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps a member listed past its TTL while it heartbeats', async () => {
    const node = clusterOptions();
    const a = await Membership.join(node('node-a'));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await ids(a)).toEqual(['node-a']);
    await a.leave();
    await a.close();
  });

  it('drops a member that stopped heartbeating once its TTL lapses', async () => {
    const node = clusterOptions();
    const a = await Membership.join(node('node-a'));
    const b = await Membership.join(node('node-b'));
    await b.close(); // as if it died: no leave()
    expect(await ids(a)).toEqual(['node-a', 'node-b']);
    const closedAt = Date.now();
    await expect.poll(() => ids(a), { timeout: 2_000, interval: 25 }).toEqual(['node-a']);
    expect(Date.now() - closedAt).toBeGreaterThan(250);
    await a.leave();
    await a.close();
  });

  it('drops a member that leaves at once', async () => {
    const node = clusterOptions();
    const a = await Membership.join(node('node-a'));
    const b = await Membership.join(node('node-b', { nodeTtlMs: 60_000 }));
    expect(await ids(a)).toEqual(['node-a', 'node-b']);
    await b.leave();
    expect(await ids(a)).toEqual(['node-a']);
    await new Promise((resolve) => setTimeout(resolve, 250)); // no heartbeat in flight brings it back
    expect(await ids(a)).toEqual(['node-a']);
    await b.close();
    await a.leave();
    await a.close();
  });

  it('keeps its keys under tickr:node:<nodeId> and tickr:nodes by default', () => {
    const m = new Membership({ url: testRedisUrl(), self: { nodeId: 'node-a', internalUrl: 'http://node-a.internal:4000' } });
    expect([m.nodeKey('node-a'), m.setKey]).toEqual(['tickr:node:node-a', 'tickr:nodes']);
  });

  it('refuses to join when Redis cannot be reached', async () => {
    await expect(Membership.join({ ...clusterOptions()('node-a'), url: `redis://127.0.0.1:${await freePort()}` })).rejects.toThrow();
  });
});
