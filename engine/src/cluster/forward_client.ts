import { connect, type Socket } from 'node:net';
import { forwardBackoffMsMax, forwardBackoffMsMin, forwardConnectTimeoutMs, forwardHandshakeTimeoutMs, forwardPendingMax, forwardTimeoutMs } from '../constants.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import type { Logger } from '../log.ts';
import { asResponse, decode, encodeBatches, FrameReader } from './forward_frame.ts';
import { ClientHandshake } from './forward_handshake.ts';
import { shardUnavailable } from '../engine.ts';

export type ForwardClientOptions = {
  /** TICKR_CLUSTER_SECRET: the client proves it knows it, and checks that the peer does, before sending a command. */
  secret: Uint8Array;
  log?: Logger;
  /** Tests shorten it; the node keeps `forwardTimeoutMs`. */
  timeoutMs?: number;
};

export type ForwardClientStats = {
  /** Commands written to a peer. */
  forwarded: number;
  /** Commands answered `shard_unavailable` here: peer unreachable, connection lost, timed out. */
  failures: number;
  /** Commands answered `busy` here: too many pending for one peer. */
  busy: number;
  framesOut: number;
  framesIn: number;
};

/** Commands flushed in one turn for one peer share one deadline, so one timer serves them all. */
type Batch = { remaining: number; timer: NodeJS.Timeout | null };
type Pending = { resolve: (outcome: Outcome) => void; batch: Batch | null };

type Peer = {
  addr: string;
  host: string;
  port: number;
  socket: Socket | null;
  /** True once `socket` has passed the handshake; until then its frames wait in `early`. */
  ready: boolean;
  early: Buffer[];
  /** Commands of this turn, sent together when the turn ends. */
  outIds: number[];
  outCmds: Command[];
  /** Every unanswered command for this peer, queued or sent, by id. */
  pending: Map<number, Pending>;
  /** While the peer is unreachable, sends before this instant fail at once. */
  retryAt: number;
  backoffMs: number;
};

const busy: Outcome = { ok: false, reason: 'busy' };
const tooLarge: Outcome = { ok: false, reason: 'shard_unavailable', detail: 'command too large to forward' };
/* Ids stay small msgpack integers; a wrapped id cannot meet its old self, which timed out long ago. */
const idMax = 0x7fff_ffff;

/**
 * The edge's side of forwarding: one persistent TCP connection per peer
 * (`host:port`), opened on first use and authenticated with the cluster
 * secret before any command leaves (forward_handshake.ts). Every command of
 * one event-loop turn for a peer travels in one frame; answers are matched by
 * id. `send` never rejects and never hangs: a peer that is unreachable or
 * fails the handshake, a connection that drops with commands in flight, or an
 * answer later than the timeout all resolve `shard_unavailable`. Such a command may still have run on the owner, as with
 * any lost answer; the buyer's retry carries its idempotency key.
 */
export class ForwardClient {
  private readonly peers = new Map<string, Peer>();
  private readonly dirty = new Set<Peer>();
  private readonly timeoutMs: number;
  private readonly secret: Uint8Array;
  private readonly log: Logger;
  private nextId = 1;
  private flushQueued = false;
  private closed = false;
  private readonly counters: ForwardClientStats = { forwarded: 0, failures: 0, busy: 0, framesOut: 0, framesIn: 0 };

  constructor(opts: ForwardClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? forwardTimeoutMs;
    this.secret = opts.secret;
    this.log = opts.log ?? (() => {});
  }

  send(peerAddr: string, cmd: Command): Promise<Outcome> {
    if (this.closed) return this.fail(1);
    const peer = this.peerOf(peerAddr);
    if (peer === null) return this.fail(1);
    if (peer.socket === null && Date.now() < peer.retryAt) return this.fail(1);
    if (peer.pending.size >= forwardPendingMax) {
      this.counters.busy++;
      return Promise.resolve(busy);
    }
    const id = this.nextId;
    this.nextId = id >= idMax ? 1 : id + 1;
    peer.outIds.push(id);
    peer.outCmds.push(cmd);
    this.dirty.add(peer);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flush);
    }
    return new Promise((resolve) => peer.pending.set(id, { resolve, batch: null }));
  }

  stats(): ForwardClientStats {
    return { ...this.counters };
  }

  /** Drops every connection; what was pending resolves `shard_unavailable`, later sends too. */
  async close(): Promise<void> {
    this.closed = true;
    for (const peer of this.peers.values()) this.disconnect(peer, null);
    this.peers.clear();
  }

  private fail(count: number): Promise<Outcome> {
    this.counters.failures += count;
    return Promise.resolve(shardUnavailable);
  }

  private peerOf(addr: string): Peer | null {
    const known = this.peers.get(addr);
    if (known) return known;
    const colon = addr.lastIndexOf(':');
    const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = Number(addr.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) {
      this.log('error', `forward: peer address "${addr}" is not host:port`);
      return null;
    }
    const peer: Peer = {
      addr, host, port, socket: null, ready: false, early: [], outIds: [], outCmds: [],
      pending: new Map(), retryAt: 0, backoffMs: forwardBackoffMsMin,
    };
    this.peers.set(addr, peer);
    return peer;
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    for (const peer of this.dirty) this.flushPeer(peer);
    this.dirty.clear();
  };

  private flushPeer(peer: Peer): void {
    const ids = peer.outIds;
    const cmds = peer.outCmds;
    peer.outIds = [];
    peer.outCmds = [];
    if (ids.length === 0) return;
    const batch: Batch = { remaining: 0, timer: null };
    for (const id of ids) {
      const pending = peer.pending.get(id);
      if (pending === undefined) continue;
      pending.batch = batch;
      batch.remaining++;
    }
    batch.timer = setTimeout(() => this.expire(peer, ids), this.timeoutMs);
    const { frames, oversized } = encodeBatches('cmds', ids, cmds);
    if (oversized.length > 0) {
      this.log('error', `forward: ${oversized.length} command(s) to ${peer.addr} too large for one frame`);
      this.counters.failures += oversized.length;
      for (const id of oversized) this.settle(peer, id, tooLarge);
    }
    if (frames.length === 0) return;
    // Frames before the handshake has passed wait here: the server reads nothing but the handshake until then.
    const socket = peer.socket ?? this.connect(peer);
    if (peer.ready) for (const frame of frames) socket.write(frame);
    else peer.early.push(...frames);
    this.counters.framesOut += frames.length;
    this.counters.forwarded += ids.length - oversized.length;
  }

  /**
   * Opens the connection and runs the handshake (forward_handshake.ts) on it:
   * hello on connect, then the server's challenge is checked before the
   * proof and the waiting frames go out, in one write.
   */
  private connect(peer: Peer): Socket {
    const socket = connect({ host: peer.host, port: peer.port, noDelay: true });
    peer.socket = socket;
    peer.ready = false;
    peer.early = [];
    const reader = new FrameReader();
    const handshake = new ClientHandshake(this.secret);
    let opened = false;
    let authenticated = false;
    socket.setTimeout(forwardConnectTimeoutMs);
    socket.on('timeout', () => {
      if (!authenticated) this.disconnect(peer, `${opened ? 'handshake with' : 'connect to'} ${peer.addr} timed out`, socket);
    });
    socket.on('connect', () => {
      opened = true;
      socket.setTimeout(forwardHandshakeTimeoutMs);
      socket.write(handshake.hello());
    });
    socket.on('data', (chunk: Buffer) => {
      if (authenticated) {
        const error = reader.push(chunk, (payload) => this.onFrame(peer, socket, payload));
        if (error !== null) this.disconnect(peer, error, socket);
        return;
      }
      const step = handshake.push(chunk);
      if (step.kind === 'refuse') return this.disconnect(peer, `handshake with ${peer.addr}: ${step.why}`, socket);
      if (step.kind !== 'done' || peer.socket !== socket) return;
      authenticated = true;
      socket.setTimeout(0);
      peer.backoffMs = forwardBackoffMsMin;
      peer.retryAt = 0;
      socket.cork();
      socket.write(step.bytes!);
      for (const frame of peer.early) socket.write(frame);
      socket.uncork();
      peer.early = [];
      peer.ready = true;
    });
    socket.on('error', (error) => this.disconnect(peer, `${peer.addr}: ${error.message}`, socket));
    socket.on('close', () => {
      // A peer that could not be reached or refused us is left alone for a while; a dropped working connection is retried at once.
      if (!authenticated && (peer.socket === socket || peer.socket === null)) {
        peer.retryAt = Date.now() + peer.backoffMs;
        peer.backoffMs = Math.min(peer.backoffMs * 2, forwardBackoffMsMax);
      }
      this.disconnect(peer, null, socket);
    });
    return socket;
  }

  private onFrame(peer: Peer, socket: Socket, payload: Uint8Array): void {
    if (peer.socket !== socket) return;
    this.counters.framesIn++;
    let response;
    try {
      response = asResponse(decode(payload));
    } catch {
      response = null;
    }
    if (response === null) return this.disconnect(peer, `malformed frame from ${peer.addr}`, socket);
    for (let i = 0; i < response.ids.length; i++) this.settle(peer, response.ids[i]!, response.outcomes[i]!);
  }

  private settle(peer: Peer, id: number, outcome: Outcome): void {
    const pending = peer.pending.get(id);
    if (!pending) return; // Timed out already, or an id this peer never had.
    peer.pending.delete(id);
    const batch = pending.batch;
    if (batch !== null && --batch.remaining === 0 && batch.timer !== null) clearTimeout(batch.timer);
    pending.resolve(outcome);
  }

  private expire(peer: Peer, ids: number[]): void {
    let count = 0;
    for (const id of ids) {
      if (!peer.pending.has(id)) continue;
      count++;
      this.counters.failures++;
      this.settle(peer, id, shardUnavailable);
    }
    if (count > 0) this.log('warn', `forward: ${count} command(s) to ${peer.addr} unanswered after ${this.timeoutMs} ms`);
    // Nothing back for that long: the link may be dead (a partition), and later commands written
    // behind the stuck ones would wait on TCP retransmission backoff, for 10 s and more after the
    // link is back. Drop the connection; the next command opens a new one.
    if (count > 0 && peer.socket !== null) this.disconnect(peer, `nothing back for ${this.timeoutMs} ms; connection dropped, the next command opens a new one`, peer.socket);
  }

  /**
   * Fails everything pending for the peer and drops its connection. With
   * `only`, does so only if that socket is still the peer's current one, so a
   * late event from an old connection cannot touch its successor.
   */
  private disconnect(peer: Peer, why: string | null, only?: Socket): void {
    const socket = peer.socket;
    if (only !== undefined && socket !== only) return;
    peer.socket = null;
    peer.ready = false;
    peer.early = [];
    socket?.destroy();
    // Commands of this turn not yet flushed stay queued: the flush opens a new connection.
    const queued = new Set(peer.outIds);
    let count = 0;
    for (const id of [...peer.pending.keys()]) {
      if (queued.has(id) && !this.closed) continue;
      count++;
      this.settle(peer, id, shardUnavailable);
    }
    if (this.closed) {
      peer.outIds = [];
      peer.outCmds = [];
    }
    this.counters.failures += count;
    if (why !== null) this.log('warn', `forward: connection to ${peer.addr} lost: ${why}; ${count} command(s) answered shard_unavailable`);
  }
}
