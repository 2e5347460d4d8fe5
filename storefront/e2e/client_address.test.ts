/**
 * The storefront's /api proxy as the edge's limits see it: a real node as a
 * child process (engine, edge and the built storefront in one process), no
 * browser. The storefront proves itself to its own edge with the process's
 * secret, so the edge believes the address chain it forwards; a caller of the
 * edge itself cannot claim an address.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../engine/src/testing/db.ts';
import { spawnNode, type NodeProcess } from '../../engine/src/testing/kit.ts';
import { freePort } from '../../engine/src/testing/ports.ts';
import { ensureBuilt } from '../serve.ts';

let db: TestDatabase;
let node: NodeProcess;
let web: string;

beforeAll(async () => {
  await ensureBuilt(() => {});
  db = await freshDatabase();
  const webPort = await freePort();
  web = `http://127.0.0.1:${webPort}`;
  node = await spawnNode({
    dbUrl: db.url,
    env: {
      TICKR_WEB_PORT: String(webPort), TICKR_INTERNAL_PORT: String(await freePort()), TICKR_WORKERS: '1', TICKR_SEED_DEMO: '0',
      TICKR_TOKEN_SECRET: randomBytes(32).toString('hex'),
      // This test stands in for the one proxy in front of the node, and each address may sign up once.
      TICKR_TRUST_PROXY: '1', TICKR_SIGNUPS_PER_ADDRESS: '1',
    },
  });
  // The node says it listens once its edge does; the storefront comes up just after.
  for (let tries = 0; ; tries++) {
    if (await fetch(web).then(() => true, () => false)) break;
    if (tries > 300) throw new Error(`the storefront did not answer:\n${node.output().slice(-4_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 400_000);

afterAll(async () => {
  await node?.kill();
  await db?.drop();
});

async function signup(base: string, forwardedFor: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email: `p-${randomUUID()}@e2e.tickr.test`, password: 'correct-horse-battery', name: 'P', role: 'participant' }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code };
}

describe("the storefront's proxy", () => {
  it("passes the browser's address on to the edge's limits, one hop past the proxy in front", async () => {
    expect(await signup(web, '6.6.6.6, 203.0.113.1')).toEqual({ status: 201, code: undefined });
    expect(await signup(web, '7.7.7.7, 203.0.113.1')).toEqual({ status: 429, code: 'too_many_signups' });
    expect(await signup(web, '203.0.113.2')).toEqual({ status: 201, code: undefined });
  });

  it('gives a direct caller of the edge no way to claim an address through the proof header', async () => {
    const forged = await fetch(`${node.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1, 198.51.100.2', 'x-tickr-storefront': 'guessed' },
      body: JSON.stringify({ email: `p-${randomUUID()}@e2e.tickr.test`, password: 'correct-horse-battery', name: 'P', role: 'participant' }),
    });
    expect(forged.status).toBe(201);
    // Counted under the hop the trusted proxy (this test) named, 198.51.100.2, not the one it claimed to be vouched for.
    expect(await signup(node.url, '198.51.100.1, 198.51.100.2')).toEqual({ status: 429, code: 'too_many_signups' });
    expect(await signup(node.url, '198.51.100.2, 198.51.100.1')).toEqual({ status: 201, code: undefined });
  });
});
