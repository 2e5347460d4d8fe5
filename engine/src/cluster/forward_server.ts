import { createServer, type Server, type Socket } from 'node:net';
import { forwardHandshakesMax, forwardHandshakeTimeoutMs, forwardInflightMax } from '../constants.ts';
import type { Command, Outcome } from '../inventory/types.ts';
import type { Logger } from '../log.ts';
import { asRequest, decode, encodeBatches, FrameReader } from './forward_frame.ts';
import { ServerHandshake } from './forward_handshake.ts';
import { shardUnavailable } from '../engine.ts';

export type ForwardServerOptions = {
  host: string;
  /** 0 picks a free port; the chosen one is in the result. */
  port: number;
  /** Runs a forwarded command here; refusals are outcomes, as everywhere. */
  handle: (cmd: Command) => Promise<Outcome>;
  log: Logger;
  /** TICKR_CLUSTER_SECRET: a connection is served only once its peer has proved it knows it (forward_handshake.ts). */
  secret: Uint8Array;
  /** Tests shorten them; the node keeps `forwardHandshakeTimeoutMs` and `forwardHandshakesMax`. */
  handshakeTimeoutMs?: number;
  handshakesMax?: number;
};

export type ForwardServerStats = {
  connections: number;
  framesIn: number;
  framesOut: number;
  commands: number;
  busy: number;
  /** Connections closed before or at the handshake: no magic, wrong MAC, data ahead of the proof, too slow, too many at once. */
  refused: number;
};

export type ForwardServer = {
  port: number;
  /** Stops accepting and drops every connection; answers still running are discarded. */
  close(): Promise<void>;
  stats(): ForwardServerStats;
};

type Conn = {
  socket: Socket;
  /** Until the peer has proved it knows the secret; null once it has, and only then are its bytes frames. */
  handshake: ServerHandshake | null;
  handshakeTimer: NodeJS.Timeout | null;
  reader: FrameReader;
  closed: boolean;
  /** Commands handed to `handle` and not yet answered; bounded by `forwardInflightMax`. */
  inflight: number;
  /** Answers of this turn, written together when the turn ends. */
  outIds: number[];
  outOutcomes: Outcome[];
  flushQueued: boolean;
};

const busy: Outcome = { ok: false, reason: 'busy' };
const tooLarge: Outcome = { ok: false, reason: 'shard_unavailable', detail: 'outcome too large to forward' };

/**
 * The owner's side of forwarding: another node's edge sends, over one
 * persistent TCP connection, the commands for shards this node owns. A
 * connection is served only after the cluster handshake: a peer that sends
 * anything else first, a wrong MAC, or nothing within the timeout is closed
 * with nothing run. Then each command goes to `handle` as it arrives; answers
 * go back as they complete, those of one event-loop turn in one write. A
 * connection that sends a malformed or oversized frame is closed (its peer
 * fails what it had in flight); nothing a peer sends can throw out of here.
 */
export async function startForwardServer(opts: ForwardServerOptions): Promise<ForwardServer> {
  const conns = new Set<Conn>();
  const stats: ForwardServerStats = { connections: 0, framesIn: 0, framesOut: 0, commands: 0, busy: 0, refused: 0 };
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? forwardHandshakeTimeoutMs;
  const handshakesMax = opts.handshakesMax ?? forwardHandshakesMax;
  let handshaking = 0;
  let fullLoggedAt = 0;

  const drop = (conn: Conn, why: string | null): void => {
    if (conn.closed) return;
    conn.closed = true;
    if (conn.handshakeTimer !== null) clearTimeout(conn.handshakeTimer);
    if (conn.handshake !== null) {
      handshaking--;
      if (why !== null) stats.refused++;
    }
    conns.delete(conn);
    stats.connections = conns.size;
    if (why !== null) opts.log('warn', `forward: closing connection from ${conn.socket.remoteAddress}:${conn.socket.remotePort}: ${why}`);
    conn.socket.destroy();
  };

  const flush = (conn: Conn): void => {
    conn.flushQueued = false;
    if (conn.closed || conn.outIds.length === 0) return;
    const ids = conn.outIds;
    const outcomes = conn.outOutcomes;
    conn.outIds = [];
    conn.outOutcomes = [];
    const { frames, oversized } = encodeBatches('outcomes', ids, outcomes);
    for (const frame of frames) conn.socket.write(frame);
    stats.framesOut += frames.length;
    if (oversized.length > 0) {
      opts.log('error', `forward: ${oversized.length} outcome(s) too large for one frame; answering shard_unavailable`);
      const refusals = oversized.map(() => tooLarge);
      for (const frame of encodeBatches('outcomes', oversized, refusals).frames) conn.socket.write(frame);
    }
    // A peer that does not read its answers stops being read: it cannot make us buffer without bound.
    if (conn.socket.writableNeedDrain) conn.socket.pause();
  };

  const answer = (conn: Conn, id: number, outcome: Outcome, ran: boolean): void => {
    if (ran) conn.inflight--;
    if (conn.closed) return;
    conn.outIds.push(id);
    conn.outOutcomes.push(outcome);
    if (!conn.flushQueued) {
      conn.flushQueued = true;
      setImmediate(flush, conn);
    }
  };

  const run = (conn: Conn, id: number, cmd: Command): void => {
    if (conn.inflight >= forwardInflightMax) {
      stats.busy++;
      return answer(conn, id, busy, false);
    }
    conn.inflight++;
    stats.commands++;
    const onError = (error: unknown): void => {
      opts.log('error', `forward: handler threw for ${cmd.kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      answer(conn, id, shardUnavailable, true);
    };
    try {
      opts.handle(cmd).then((outcome) => answer(conn, id, outcome, true), onError);
    } catch (error) {
      onError(error);
    }
  };

  const onFrame = (conn: Conn, payload: Uint8Array): void => {
    if (conn.closed) return;
    stats.framesIn++;
    let request;
    try {
      request = asRequest(decode(payload));
    } catch {
      request = null;
    }
    if (request === null) return drop(conn, 'malformed frame');
    for (let i = 0; i < request.ids.length; i++) run(conn, request.ids[i]!, request.cmds[i]!);
  };

  const onFrames = (conn: Conn, chunk: Buffer): void => {
    const error = conn.reader.push(chunk, (payload) => onFrame(conn, payload));
    if (error !== null) drop(conn, error);
  };

  /* Bytes before authentication go to the handshake alone; what follows the proof in the same chunk is frames. */
  const onHandshake = (conn: Conn, handshake: ServerHandshake, chunk: Buffer): void => {
    const step = handshake.push(chunk);
    if (step.kind === 'refuse') return drop(conn, step.why);
    if (step.kind === 'send') conn.socket.write(step.bytes);
    if (step.kind !== 'done') return;
    conn.handshake = null;
    handshaking--;
    clearTimeout(conn.handshakeTimer!);
    conn.handshakeTimer = null;
    if (step.rest.length > 0) onFrames(conn, step.rest);
  };

  const server: Server = createServer((socket) => {
    if (handshaking >= handshakesMax) {
      stats.refused++;
      // Once a second at most: a flood must not become a flood of log lines.
      if (Date.now() - fullLoggedAt >= 1_000) {
        fullLoggedAt = Date.now();
        opts.log('warn', `forward: ${handshaking} connections already in their handshake; closing new ones (latest from ${socket.remoteAddress})`);
      }
      socket.destroy();
      return;
    }
    handshaking++;
    socket.setNoDelay(true);
    const conn: Conn = {
      socket, handshake: new ServerHandshake(opts.secret), handshakeTimer: null, reader: new FrameReader(),
      closed: false, inflight: 0, outIds: [], outOutcomes: [], flushQueued: false,
    };
    // A hard deadline, not an idle timeout: a peer trickling bytes cannot hold the socket either.
    conn.handshakeTimer = setTimeout(() => drop(conn, `no handshake within ${handshakeTimeoutMs} ms`), handshakeTimeoutMs);
    conns.add(conn);
    stats.connections = conns.size;
    socket.on('data', (chunk: Buffer) => {
      if (conn.handshake !== null) onHandshake(conn, conn.handshake, chunk);
      else onFrames(conn, chunk);
    });
    socket.on('drain', () => socket.resume());
    socket.on('error', (error) => drop(conn, error.message));
    socket.on('close', () => drop(conn, null));
  });
  server.on('error', (error) => opts.log('error', `forward: server error: ${error.message}`));

  await new Promise<void>((resolve, reject) => {
    const onListenError = (error: Error): void => reject(error);
    server.once('error', onListenError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  opts.log('info', `forward: listening on ${opts.host}:${port}`);

  return {
    port,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const conn of [...conns]) drop(conn, null);
      }),
  };
}
