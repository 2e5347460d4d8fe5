import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * How two ends of a forwarding connection prove to each other that they know
 * the cluster secret (TICKR_CLUSTER_SECRET), before a single frame is served.
 *
 *   client → server  hello      magic, Nc (32 random bytes)
 *   server → client  challenge  magic, Ns (32 random bytes), HMAC(secret, "server" ‖ Nc ‖ Ns)
 *   client → server  proof      HMAC(secret, "client" ‖ Nc ‖ Ns), then frames
 *
 * Each side checks the other's MAC in constant time over nonces that include
 * one it has just drawn itself, so a recorded handshake proves nothing on a
 * new connection (replay), and the two labels keep one side's MAC from being
 * reflected back as the other's. The client checks the server before it
 * sends its proof or any command, so commands never reach a node that does
 * not know the secret either. The proof is followed at once by the frames:
 * authentication costs one round trip per connection, nothing per command.
 *
 * Frames after the handshake carry no MAC of their own. The attack this
 * answers is anyone who can reach the internal port opening a connection and
 * sending commands; a mutual handshake bars that. Forging frames inside an
 * established connection takes an attacker on the path between two nodes,
 * who would also read every command (buyers, holds) in the clear: per-frame
 * MACs would not make that network safe, only a private network or TLS would.
 * So nodes must talk over a network the operator trusts against on-path
 * attackers (README, "Many nodes"), and the hot path pays nothing per frame.
 */

const magic = Buffer.from('TKRFWD01', 'latin1');
const nonceBytes = 32;
const macBytes = 32;
const helloBytes = magic.length + nonceBytes;
const challengeBytes = magic.length + nonceBytes + macBytes;
const proofBytes = macBytes;
const serverLabel = Buffer.from('tickr forward v1 server\0', 'latin1');
const clientLabel = Buffer.from('tickr forward v1 client\0', 'latin1');

/** What one push of bytes into a handshake gives. */
export type HandshakeStep =
  /** Keep reading. */
  | { kind: 'more' }
  /** Write `bytes` to the peer, then keep reading. */
  | { kind: 'send'; bytes: Buffer }
  /**
   * Authenticated. The client writes `bytes` (its proof) before any frame;
   * the server reads `rest` as the first frame bytes.
   */
  | { kind: 'done'; bytes: Buffer | null; rest: Buffer }
  /** The peer failed; close the connection. Says why, for the log. */
  | { kind: 'refuse'; why: string };

export function handshakeMac(secret: Uint8Array, label: 'server' | 'client', clientNonce: Buffer, serverNonce: Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(label === 'server' ? serverLabel : clientLabel)
    .update(clientNonce)
    .update(serverNonce)
    .digest();
}

function macMatches(expected: Buffer, got: Buffer): boolean {
  return got.length === expected.length && timingSafeEqual(expected, got);
}

/** The client's opening message, with a fresh nonce; exported for tests that play a peer by hand. */
export function helloOf(clientNonce: Buffer): Buffer {
  return Buffer.concat([magic, clientNonce]);
}

/** Splits a server's challenge into its nonce and MAC, or null when it is not one. */
export function parseChallenge(bytes: Buffer): { serverNonce: Buffer; mac: Buffer } | null {
  if (bytes.length !== challengeBytes || !bytes.subarray(0, magic.length).equals(magic)) return null;
  return { serverNonce: bytes.subarray(magic.length, magic.length + nonceBytes), mac: bytes.subarray(magic.length + nonceBytes) };
}

export const handshakeSizes = { hello: helloBytes, challenge: challengeBytes, proof: proofBytes };

/**
 * Gathers the fixed-size messages of a handshake from a byte stream. A peer
 * that sends more than the message in hand before it has been answered is
 * refused: nothing may ride ahead of authentication.
 */
abstract class Handshake {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(protected readonly secret: Uint8Array) {}

  push(chunk: Buffer): HandshakeStep {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const early = this.checkEarly(this.buffered);
    if (early !== null) return early;
    const want = this.expected();
    if (this.buffered.length < want) return { kind: 'more' };
    const message = this.buffered.subarray(0, want);
    const rest = this.buffered.subarray(want);
    this.buffered = Buffer.alloc(0);
    return this.receive(message, rest);
  }

  /** A peer whose first bytes already show it is not doing the handshake is refused at once, not at the timeout. */
  protected checkEarly(buffered: Buffer): HandshakeStep | null {
    if (!this.opening()) return null;
    const n = Math.min(buffered.length, magic.length);
    return buffered.subarray(0, n).equals(magic.subarray(0, n)) ? null : { kind: 'refuse', why: this.notPeer() };
  }

  /** True while the first message (which starts with the magic) is awaited. */
  protected abstract opening(): boolean;
  protected abstract notPeer(): string;
  protected abstract expected(): number;
  protected abstract receive(message: Buffer, rest: Buffer): HandshakeStep;
}

/** The accepting side: reads a hello, challenges, checks the proof. */
export class ServerHandshake extends Handshake {
  private clientNonce: Buffer | null = null;
  private serverNonce: Buffer | null = null;

  protected opening(): boolean {
    return this.clientNonce === null;
  }

  protected notPeer(): string {
    return 'no handshake (not a Tickr node, or one without TICKR_CLUSTER_SECRET support)';
  }

  protected expected(): number {
    return this.clientNonce === null ? helloBytes : proofBytes;
  }

  protected receive(message: Buffer, rest: Buffer): HandshakeStep {
    if (this.clientNonce === null) {
      if (rest.length > 0) return { kind: 'refuse', why: 'sent data before authenticating' };
      this.clientNonce = Buffer.from(message.subarray(magic.length));
      this.serverNonce = randomBytes(nonceBytes);
      const mac = handshakeMac(this.secret, 'server', this.clientNonce, this.serverNonce);
      return { kind: 'send', bytes: Buffer.concat([magic, this.serverNonce, mac]) };
    }
    const expected = handshakeMac(this.secret, 'client', this.clientNonce, this.serverNonce!);
    if (!macMatches(expected, message)) return { kind: 'refuse', why: 'wrong handshake MAC: the peer does not have this node\'s TICKR_CLUSTER_SECRET' };
    return { kind: 'done', bytes: null, rest };
  }
}

/** The connecting side: says hello, checks the server's MAC, proves itself. */
export class ClientHandshake extends Handshake {
  private readonly clientNonce = randomBytes(nonceBytes);

  /** The bytes to write first on a new connection. */
  hello(): Buffer {
    return helloOf(this.clientNonce);
  }

  protected opening(): boolean {
    return true;
  }

  protected notPeer(): string {
    return 'no handshake challenge (not a Tickr internal port?)';
  }

  protected expected(): number {
    return challengeBytes;
  }

  protected receive(message: Buffer, rest: Buffer): HandshakeStep {
    const challenge = parseChallenge(message);
    if (challenge === null) return { kind: 'refuse', why: this.notPeer() };
    if (rest.length > 0) return { kind: 'refuse', why: 'sent data before authenticating' };
    const expected = handshakeMac(this.secret, 'server', this.clientNonce, challenge.serverNonce);
    if (!macMatches(expected, challenge.mac)) return { kind: 'refuse', why: 'wrong handshake MAC: the peer does not have this node\'s TICKR_CLUSTER_SECRET' };
    return { kind: 'done', bytes: handshakeMac(this.secret, 'client', this.clientNonce, Buffer.from(challenge.serverNonce)), rest };
  }
}
