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

/** What the listening server shares between its connections. */
type Served = {
  opts: ForwardServerOptions;
  conns: Set<Conn>;
  stats: ForwardServerStats;
  handshakeTimeoutMs: number;
  handshakesMax: number;
  /** Connections still in their handshake; bounded by `handshakesMax`. */
  handshaking: number;
  fullLoggedAt: number;
};

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
  const served: Served = {
    opts,
    conns: new Set<Conn>(),
    stats: { connections: 0, framesIn: 0, framesOut: 0, commands: 0, busy: 0, refused: 0 },
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? forwardHandshakeTimeoutMs,
    handshakesMax: opts.handshakesMax ?? forwardHandshakesMax,
    handshaking: 0,
    fullLoggedAt: 0,
  };
  const server: Server = createServer((socket) => accept(served, socket));
  server.on('error', (error) => opts.log('error', `forward: server error: ${error.message}`));
  const port = await listen(server, opts);
  opts.log('info', `forward: listening on ${opts.host}:${port}`);

  return {
    port,
    stats: () => ({ ...served.stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const conn of [...served.conns]) drop(served, conn, null);
      }),
  };
}

/** Resolves with the port listened on (the chosen one when `opts.port` is 0). */
async function listen(server: Server, opts: ForwardServerOptions): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onListenError = (error: Error): void => reject(error);
    server.once('error', onListenError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : opts.port;
}

/** A new connection: refused when too many are already in their handshake, else given a deadline to prove itself. */
function accept(served: Served, socket: Socket): void {
  const { opts, stats } = served;
  if (served.handshaking >= served.handshakesMax) {
    stats.refused++;
    // Once a second at most: a flood must not become a flood of log lines.
    if (Date.now() - served.fullLoggedAt >= 1_000) {
      served.fullLoggedAt = Date.now();
      opts.log('warn', `forward: ${served.handshaking} connections already in their handshake; closing new ones (latest from ${socket.remoteAddress})`);
    }
    socket.destroy();
    return;
  }
  served.handshaking++;
  socket.setNoDelay(true);
  const conn: Conn = {
    socket, handshake: new ServerHandshake(opts.secret), handshakeTimer: null, reader: new FrameReader(),
    closed: false, inflight: 0, outIds: [], outOutcomes: [], flushQueued: false,
  };
  // A hard deadline, not an idle timeout: a peer trickling bytes cannot hold the socket either.
  conn.handshakeTimer = setTimeout(() => drop(served, conn, `no handshake within ${served.handshakeTimeoutMs} ms`), served.handshakeTimeoutMs);
  served.conns.add(conn);
  stats.connections = served.conns.size;
  socket.on('data', (chunk: Buffer) => {
    if (conn.handshake !== null) onHandshake(served, conn, conn.handshake, chunk);
    else onFrames(served, conn, chunk);
  });
  socket.on('drain', () => socket.resume());
  socket.on('error', (error) => drop(served, conn, error.message));
  socket.on('close', () => drop(served, conn, null));
}

function drop(served: Served, conn: Conn, why: string | null): void {
  if (conn.closed) return;
  conn.closed = true;
  if (conn.handshakeTimer !== null) clearTimeout(conn.handshakeTimer);
  if (conn.handshake !== null) {
    served.handshaking--;
    if (why !== null) served.stats.refused++;
  }
  served.conns.delete(conn);
  served.stats.connections = served.conns.size;
  if (why !== null) served.opts.log('warn', `forward: closing connection from ${conn.socket.remoteAddress}:${conn.socket.remotePort}: ${why}`);
  conn.socket.destroy();
}

/* Bytes before authentication go to the handshake alone; what follows the proof in the same chunk is frames. */
function onHandshake(served: Served, conn: Conn, handshake: ServerHandshake, chunk: Buffer): void {
  const step = handshake.push(chunk);
  if (step.kind === 'refuse') return drop(served, conn, step.why);
  if (step.kind === 'send') conn.socket.write(step.bytes);
  if (step.kind !== 'done') return;
  conn.handshake = null;
  served.handshaking--;
  clearTimeout(conn.handshakeTimer!);
  conn.handshakeTimer = null;
  if (step.rest.length > 0) onFrames(served, conn, step.rest);
}

function onFrames(served: Served, conn: Conn, chunk: Buffer): void {
  const error = conn.reader.push(chunk, (payload) => onFrame(served, conn, payload));
  if (error !== null) drop(served, conn, error);
}

function onFrame(served: Served, conn: Conn, payload: Uint8Array): void {
  if (conn.closed) return;
  served.stats.framesIn++;
  let request;
  try {
    request = asRequest(decode(payload));
  } catch {
    request = null;
  }
  if (request === null) return drop(served, conn, 'malformed frame');
  for (let i = 0; i < request.ids.length; i++) run(served, conn, request.ids[i]!, request.cmds[i]!);
}

function run(served: Served, conn: Conn, id: number, cmd: Command): void {
  if (conn.inflight >= forwardInflightMax) {
    served.stats.busy++;
    return answer(served, conn, id, busy, false);
  }
  conn.inflight++;
  served.stats.commands++;
  const onError = (error: unknown): void => {
    served.opts.log('error', `forward: handler threw for ${cmd.kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    answer(served, conn, id, shardUnavailable, true);
  };
  try {
    served.opts.handle(cmd).then((outcome) => answer(served, conn, id, outcome, true), onError);
  } catch (error) {
    onError(error);
  }
}

function answer(served: Served, conn: Conn, id: number, outcome: Outcome, ran: boolean): void {
  if (ran) conn.inflight--;
  if (conn.closed) return;
  conn.outIds.push(id);
  conn.outOutcomes.push(outcome);
  if (!conn.flushQueued) {
    conn.flushQueued = true;
    setImmediate(flush, served, conn);
  }
}

function flush(served: Served, conn: Conn): void {
  conn.flushQueued = false;
  if (conn.closed || conn.outIds.length === 0) return;
  const ids = conn.outIds;
  const outcomes = conn.outOutcomes;
  conn.outIds = [];
  conn.outOutcomes = [];
  const { frames, oversized } = encodeBatches('outcomes', ids, outcomes);
  for (const frame of frames) conn.socket.write(frame);
  served.stats.framesOut += frames.length;
  if (oversized.length > 0) {
    served.opts.log('error', `forward: ${oversized.length} outcome(s) too large for one frame; answering shard_unavailable`);
    const refusals = oversized.map(() => tooLarge);
    for (const frame of encodeBatches('outcomes', oversized, refusals).frames) conn.socket.write(frame);
  }
  // A peer that does not read its answers stops being read: it cannot make us buffer without bound.
  if (conn.socket.writableNeedDrain) conn.socket.pause();
}
