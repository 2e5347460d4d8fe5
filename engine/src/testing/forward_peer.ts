import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { encodeBatches } from '../cluster/forward_frame.ts';
import { handshakeMac, handshakeSizes, helloOf, parseChallenge } from '../cluster/forward_handshake.ts';
import type { Command } from '../inventory/types.ts';

/*
 * A peer of the internal port played by hand, for tests that send exactly the
 * bytes they choose: a raw command frame with no handshake, a wrong MAC, a
 * replayed proof. Every read waits for the bytes or for the close, never for
 * a clock, so a test reads "was it closed" and "what came back".
 */

export type RawPeer = {
  socket: Socket;
  /** Resolves when the other side has closed (or reset) the connection. */
  closed: Promise<void>;
  isClosed: () => boolean;
  /** The next `n` bytes from the other side; null if it closes first. */
  read: (n: number) => Promise<Buffer | null>;
  write: (bytes: Buffer) => void;
};

export async function rawPeer(host: string, port: number): Promise<RawPeer> {
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      ended = true;
      wake?.();
      resolve();
    }),
  );
  const read = async (n: number): Promise<Buffer | null> => {
    while (buffered.length < n && !ended) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    if (buffered.length < n) return null;
    const bytes = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return bytes;
  };
  return { socket, closed, isClosed: () => ended, read, write: (bytes) => void socket.write(bytes) };
}

/** One request frame carrying `cmds`, as a node's edge would send it. */
export function commandFrame(cmds: Command[]): Buffer {
  const { frames } = encodeBatches('cmds', cmds.map((_, i) => i + 1), cmds);
  return Buffer.concat(frames);
}

export type PlayedHandshake = { clientNonce: Buffer; serverNonce: Buffer; proof: Buffer };

/**
 * Says hello with `clientNonce`, reads the challenge and answers it with the
 * MAC `secret` gives, without checking the server's (a test may lie about
 * the secret). `proofOverride` sends those bytes instead (a replay), and
 * `after` rides in the same write as the proof. Null if the server closed
 * before it challenged.
 */
export async function playHandshake(
  peer: RawPeer,
  secret: Uint8Array,
  opts: { clientNonce?: Buffer; proofOverride?: Buffer; after?: Buffer } = {},
): Promise<PlayedHandshake | null> {
  const clientNonce = opts.clientNonce ?? randomBytes(32);
  peer.write(helloOf(clientNonce));
  const bytes = await peer.read(handshakeSizes.challenge);
  const challenge = bytes === null ? null : parseChallenge(bytes);
  if (challenge === null) return null;
  const serverNonce = Buffer.from(challenge.serverNonce);
  const proof = opts.proofOverride ?? handshakeMac(secret, 'client', clientNonce, serverNonce);
  peer.write(opts.after ? Buffer.concat([proof, opts.after]) : proof);
  return { clientNonce, serverNonce, proof };
}
