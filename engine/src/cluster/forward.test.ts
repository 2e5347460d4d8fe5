import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command, Outcome } from '../inventory/types.ts';
import type { Level } from '../log.ts';
import { playHandshake, rawPeer } from '../testing/forward_peer.ts';
import { freePort } from '../testing/ports.ts';
import { ForwardClient } from './forward_client.ts';
import { startForwardServer, type ForwardServer } from './forward_server.ts';
import { forwardFrameBytesMax } from '../constants.ts';

const host = '127.0.0.1';
const secret = randomBytes(32);
const logs: { level: Level; msg: string }[] = [];
const log = (level: Level, msg: string): void => void logs.push({ level, msg });
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.length = 0;
});

/** `expireHolds` for event `e<n>` is answered `expired` with count n, so each answer names its command. */
const cmdOf = (n: number): Command => ({ kind: 'expireHolds', eventId: `e${n}` });
const echo = async (cmd: Command): Promise<Outcome> => ({ ok: true, kind: 'expired', count: Number(cmd.eventId.slice(1)) });

async function server(handle: (cmd: Command) => Promise<Outcome> = echo, port = 0): Promise<ForwardServer> {
  const s = await startForwardServer({ host, port, handle, secret, log });
  cleanups.push(() => s.close());
  return s;
}

function client(timeoutMs?: number): ForwardClient {
  const c = new ForwardClient({ secret, log, timeoutMs });
  cleanups.push(() => c.close());
  return c;
}

/** A connection that has passed the handshake, to send the server frames by hand; `closed` resolves when the server drops it. */
async function rawSocket(port: number): Promise<{ write: (bytes: Buffer) => void; closed: Promise<void> }> {
  const peer = await rawPeer(host, port);
  expect(await playHandshake(peer, secret)).not.toBeNull();
  return peer;
}

const unavailable = { ok: false, reason: 'shard_unavailable' };

describe('forwarding', () => {
  it('answers 10,000 concurrent commands, each with its own outcome, in a handful of frames', async () => {
    const s = await server();
    const c = client();
    const peer = `${host}:${s.port}`;
    const outcomes = await Promise.all(Array.from({ length: 10_000 }, (_, i) => c.send(peer, cmdOf(i))));
    outcomes.forEach((outcome, i) => expect(outcome).toEqual({ ok: true, kind: 'expired', count: i }));
    expect(c.stats()).toMatchObject({ forwarded: 10_000, failures: 0 });
    expect(c.stats().framesOut).toBe(1);
    expect(s.stats().framesIn).toBe(1);
    expect(s.stats().framesOut).toBeLessThanOrEqual(10);
    expect(c.stats().framesIn).toBe(s.stats().framesOut);
  });

  it('splits a turn whose commands exceed one frame into several, and answers them all', async () => {
    const s = await server();
    const c = client();
    const pad = 'x'.repeat(Math.ceil(forwardFrameBytesMax / 4));
    const cmds = Array.from({ length: 10 }, (_, i): Command => ({ kind: 'getHold', eventId: `e${i}`, holdId: pad }));
    const outcomes = await Promise.all(cmds.map((cmd) => c.send(`${host}:${s.port}`, cmd)));
    outcomes.forEach((outcome, i) => expect(outcome).toEqual({ ok: true, kind: 'expired', count: i }));
    expect(s.stats().framesIn).toBeGreaterThanOrEqual(4);
  });

  it('answers shard_unavailable at once when the peer is down, and while it backs off', async () => {
    const c = client();
    const peer = `${host}:${await freePort()}`;
    const started = Date.now();
    expect(await Promise.all([c.send(peer, cmdOf(1)), c.send(peer, cmdOf(2))])).toEqual([unavailable, unavailable]);
    expect(await c.send(peer, cmdOf(3))).toEqual(unavailable);
    expect(Date.now() - started).toBeLessThan(500);
    expect(c.stats().failures).toBe(3);
  });

  it('answers shard_unavailable for a malformed peer address', async () => {
    expect(await client().send('no-port', cmdOf(1))).toEqual(unavailable);
  });

  it('answers shard_unavailable for commands in flight when the server goes away', async () => {
    let ran = 0;
    const s = await server(() => {
      ran++;
      return new Promise<Outcome>(() => {});
    });
    const c = client();
    const answers = Array.from({ length: 100 }, (_, i) => c.send(`${host}:${s.port}`, cmdOf(i)));
    while (ran < 100) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await s.close();
    expect(await Promise.all(answers)).toEqual(answers.map(() => unavailable));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(c.stats().failures).toBe(100);
  });

  it('answers shard_unavailable for a command unanswered past the timeout', async () => {
    const s = await server(() => new Promise<Outcome>(() => {}));
    const c = client(200);
    const started = Date.now();
    expect(await c.send(`${host}:${s.port}`, cmdOf(1))).toEqual(unavailable);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers busy once a peer holds too many pending commands', async () => {
    const s = await server(() => new Promise<Outcome>(() => {}));
    const c = client(60_000);
    const peer = `${host}:${s.port}`;
    for (let i = 0; i < 50_000; i++) void c.send(peer, cmdOf(i));
    expect(await c.send(peer, cmdOf(-1))).toEqual({ ok: false, reason: 'busy' });
  });

  it('answers shard_unavailable when the handler throws, and logs it', async () => {
    const s = await server((cmd) => {
      if (cmd.eventId === 'e1') throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    });
    const c = client();
    const peer = `${host}:${s.port}`;
    expect(await Promise.all([c.send(peer, cmdOf(1)), c.send(peer, cmdOf(2))])).toEqual([unavailable, unavailable]);
    expect(logs.filter((l) => l.level === 'error' && l.msg.includes('boom'))).toHaveLength(2);
  });

  it('closes a connection that sends garbage, and keeps serving the others', async () => {
    const s = await server();
    const c = client();
    const peer = `${host}:${s.port}`;
    expect(await c.send(peer, cmdOf(1))).toEqual({ ok: true, kind: 'expired', count: 1 });

    const random = await rawSocket(s.port);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(64);
    random.write(Buffer.concat([header, randomBytes(64)]));
    const huge = await rawSocket(s.port);
    huge.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    const shape = await rawSocket(s.port);
    const wrong = Buffer.from([0x81, 0xa3, 0x69, 0x64, 0x73, 0x01]); // msgpack { ids: 1 }
    header.writeUInt32BE(wrong.length);
    shape.write(Buffer.concat([header, wrong]));
    await Promise.all([random.closed, huge.closed, shape.closed]);

    expect(logs.filter((l) => l.level === 'warn' && l.msg.includes('malformed frame'))).toHaveLength(2);
    expect(logs.some((l) => l.msg.includes('exceeds'))).toBe(true);
    expect(await c.send(peer, cmdOf(2))).toEqual({ ok: true, kind: 'expired', count: 2 });
    expect(s.stats().connections).toBe(1);
  });

  it('reconnects once the server is back', async () => {
    const first = await server();
    const port = first.port;
    const c = client();
    const peer = `${host}:${port}`;
    expect(await c.send(peer, cmdOf(1))).toEqual({ ok: true, kind: 'expired', count: 1 });
    await first.close();
    expect(await c.send(peer, cmdOf(2))).toEqual(unavailable);

    await server(echo, port);
    const deadline = Date.now() + 3_000;
    let outcome = await c.send(peer, cmdOf(3));
    while (!outcome.ok && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      outcome = await c.send(peer, cmdOf(3));
    }
    expect(outcome).toEqual({ ok: true, kind: 'expired', count: 3 });
  });

  it('answers shard_unavailable for everything pending once closed, and for later sends', async () => {
    const s = await server(() => new Promise<Outcome>(() => {}));
    const c = client();
    const pending = c.send(`${host}:${s.port}`, cmdOf(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await c.close();
    expect(await pending).toEqual(unavailable);
    expect(await c.send(`${host}:${s.port}`, cmdOf(2))).toEqual(unavailable);
  });
});
