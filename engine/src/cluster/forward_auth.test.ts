import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command, Outcome } from '../inventory/types.ts';
import type { Level } from '../log.ts';
import { commandFrame, playHandshake, rawPeer, type RawPeer } from '../testing/forward_peer.ts';
import { ForwardClient } from './forward_client.ts';
import { asResponse, decode } from './forward_frame.ts';
import { startForwardServer, type ForwardServer } from './forward_server.ts';

/*
 * The internal port serves only peers that prove they know the cluster
 * secret (issue #11: a raw msgpack frame confirmed an unpaid hold and raised
 * a capacity). Each test plays the peer by hand and checks what the server
 * ran, not only that it closed.
 */

const host = '127.0.0.1';
const secret = randomBytes(32);
const logs: { level: Level; msg: string }[] = [];
const log = (level: Level, msg: string): void => void logs.push({ level, msg });
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.length = 0;
});

/** The two commands of the attack in the issue. */
const confirm: Command = { kind: 'confirmHold', eventId: 'e1', holdId: 'unpaid-hold' };
const raise: Command = { kind: 'changeCapacity', eventId: 'e1', typeId: 't1', capacity: 100_000 };

/** A server that records every command it runs and answers each `expired`. */
async function server(opts: { secret?: Uint8Array; handshakeTimeoutMs?: number; handshakesMax?: number } = {}): Promise<{ s: ForwardServer; ran: Command[] }> {
  const ran: Command[] = [];
  const handle = async (cmd: Command): Promise<Outcome> => (ran.push(cmd), { ok: true, kind: 'expired', count: ran.length });
  const { secret: own, ...limits } = opts;
  const s = await startForwardServer({ host, port: 0, handle, log, secret: own ?? secret, ...limits });
  cleanups.push(() => s.close());
  return { s, ran };
}

function client(withSecret: Uint8Array): ForwardClient {
  const c = new ForwardClient({ secret: withSecret, log });
  cleanups.push(() => c.close());
  return c;
}

/** Reads answer frames until `count` outcomes have come; null if the server closes first. */
async function readAnswers(peer: RawPeer, count = 1): Promise<Outcome[] | null> {
  const outcomes: Outcome[] = [];
  while (outcomes.length < count) {
    const header = await peer.read(4);
    const payload = header === null ? null : await peer.read(header.readUInt32BE(0));
    const response = payload === null ? null : asResponse(decode(payload));
    if (response === null) return null;
    outcomes.push(...response.outcomes);
  }
  return outcomes;
}

const unavailable = { ok: false, reason: 'shard_unavailable' };

describe('the internal port', () => {
  it('refuses a raw command frame sent without the handshake, and runs nothing', async () => {
    const { s, ran } = await server();
    const peer = await rawPeer(host, s.port);
    peer.write(commandFrame([confirm, raise]));
    await peer.closed;
    expect(ran).toEqual([]);
    expect(s.stats()).toMatchObject({ framesIn: 0, commands: 0, refused: 1 });
    expect(logs.some((l) => l.level === 'warn' && l.msg.includes('no handshake'))).toBe(true);
  });

  it('serves a peer that knows the secret, with frames right behind its proof', async () => {
    const { s, ran } = await server();
    const peer = await rawPeer(host, s.port);
    expect(await playHandshake(peer, secret, { after: commandFrame([confirm]) })).not.toBeNull();
    expect(await readAnswers(peer)).toEqual([{ ok: true, kind: 'expired', count: 1 }]);
    expect(ran).toEqual([confirm]);
  });

  it('refuses a peer with a wrong secret, and runs what it sent after its proof never', async () => {
    const { s, ran } = await server();
    const peer = await rawPeer(host, s.port);
    expect(await playHandshake(peer, randomBytes(32), { after: commandFrame([confirm, raise]) })).not.toBeNull();
    await peer.closed;
    expect(ran).toEqual([]);
    expect(s.stats()).toMatchObject({ framesIn: 0, refused: 1 });
    expect(logs.some((l) => l.msg.includes('wrong handshake MAC'))).toBe(true);
  });

  it('refuses a replayed handshake: a recorded proof is worthless against a fresh challenge', async () => {
    const { s, ran } = await server();
    const recorded = await rawPeer(host, s.port);
    const played = await playHandshake(recorded, secret, { after: commandFrame([confirm]) });
    expect(await readAnswers(recorded)).toEqual([{ ok: true, kind: 'expired', count: 1 }]);

    // The same hello and proof, byte for byte, on a new connection.
    const replay = await rawPeer(host, s.port);
    const again = await playHandshake(replay, randomBytes(32), { clientNonce: played!.clientNonce, proofOverride: played!.proof, after: commandFrame([raise]) });
    expect(again!.serverNonce.equals(played!.serverNonce)).toBe(false);
    await replay.closed;
    expect(ran).toEqual([confirm]);
    expect(s.stats().refused).toBe(1);
  });

  it('closes a connection that says nothing, or stops after its hello, once the handshake time is up', async () => {
    const { s, ran } = await server({ handshakeTimeoutMs: 100 });
    const silent = await rawPeer(host, s.port);
    const halfway = await rawPeer(host, s.port);
    halfway.write(Buffer.from('TKRFWD01', 'latin1'));
    await Promise.all([silent.closed, halfway.closed]);
    expect(ran).toEqual([]);
    expect(s.stats()).toMatchObject({ connections: 0, refused: 2 });
    expect(logs.filter((l) => l.msg.includes('no handshake within 100 ms'))).toHaveLength(2);
  });

  it('refuses bytes sent behind the hello before the challenge is answered', async () => {
    const { s, ran } = await server();
    const peer = await rawPeer(host, s.port);
    peer.write(Buffer.concat([Buffer.from('TKRFWD01', 'latin1'), randomBytes(32), commandFrame([raise])]));
    await peer.closed;
    expect(ran).toEqual([]);
    expect(logs.some((l) => l.msg.includes('sent data before authenticating'))).toBe(true);
  });

  it('closes new connections at once while too many are in their handshake, and takes them again after', async () => {
    const { s, ran } = await server({ handshakesMax: 2 });
    const [first, second] = [await rawPeer(host, s.port), await rawPeer(host, s.port)];
    const third = await rawPeer(host, s.port);
    await third.closed;
    expect(first.isClosed() || second.isClosed()).toBe(false);
    expect(s.stats().refused).toBe(1);
    expect(logs.some((l) => l.msg.includes('2 connections already in their handshake'))).toBe(true);

    expect(await playHandshake(first, secret, { after: commandFrame([confirm]) })).not.toBeNull();
    expect(await readAnswers(first)).toHaveLength(1);
    const fourth = await rawPeer(host, s.port);
    expect(await playHandshake(fourth, secret, { after: commandFrame([raise]) })).not.toBeNull();
    expect(await readAnswers(fourth)).toHaveLength(1);
    expect(ran).toEqual([confirm, raise]);
  });

  it('forwards between a client and a server that share the secret', async () => {
    const { s, ran } = await server();
    expect(await client(secret).send(`${host}:${s.port}`, confirm)).toEqual({ ok: true, kind: 'expired', count: 1 });
    expect(ran).toEqual([confirm]);
  });

  it('sends no command to a server that does not know the secret, and answers shard_unavailable', async () => {
    const { s, ran } = await server({ secret: randomBytes(32) });
    const c = client(secret);
    expect(await c.send(`${host}:${s.port}`, confirm)).toEqual(unavailable);
    expect(ran).toEqual([]);
    expect(s.stats().framesIn).toBe(0);
    expect(c.stats().failures).toBe(1);
    expect(logs.some((l) => l.msg.includes(`handshake with ${host}:${s.port}: wrong handshake MAC`))).toBe(true);
  });

  it('reads a frame split between the proof\'s chunk and the next one', async () => {
    const { s, ran } = await server();
    const peer = await rawPeer(host, s.port);
    const frame = commandFrame([confirm, raise]);
    expect(await playHandshake(peer, secret, { after: frame.subarray(0, 3) })).not.toBeNull();
    peer.write(frame.subarray(3));
    expect(await readAnswers(peer, 2)).toHaveLength(2);
    expect(ran).toEqual([confirm, raise]);
  });
});
