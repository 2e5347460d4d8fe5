/**
 * A waiters process of the `queue` scenario in cluster mode (forked by
 * queue_cluster.ts, one per ~16 000 waiters, so each stays under the file
 * descriptor limit): raw TCP sockets that speak just enough WebSocket to
 * watch a drop, so that the client is not what gets measured.
 *
 * - The handshake is one written request and one `101` read; frames from the
 *   server are unmasked, so a frame is a 2- or 4-byte header and the text.
 * - A tick is not parsed: its bytes start `{"type":"tick","eventId":"<36>",
 *   "state":"`, so the state sits at a fixed offset (73) and the head right
 *   after it (its digits read in place). Only the
 *   first socket of each node in this process (its sampler) parses the JSON,
 *   for `headMovedAt`: every socket of a node receives the same published
 *   bytes, so the sampler's head -> movedAt holds for all of them.
 * - Pings are answered with a pong (a masked frame with a zero mask).
 * - Every socket reads into the process's one 64 KB buffer (`onread`): no
 *   Buffer, no stream machinery and no 'data' event per read, only a callback
 *   with the byte count; a frame split over two reads is the only copy.
 *   Measured on the floor (2 bare uWS, 20 000 waiters, 2 processes, 10 moves),
 *   this took a client from ~5.5 to ~3.7 µs of user CPU per frame, and the
 *   last waiter of a move from 2-6 s (a backlog) to 0.3-1.3 s.
 *
 * Messages from the parent: `connect` (round r: node k is reached at
 * 127.0.r.(k+1): one address pair per node, so each node's waiters have the
 * whole ephemeral port range to themselves), `record` (head moves from now
 * on are timed), `report`. This process sends `soldOut` once every socket heard it.
 */
import net from 'node:net';
import { signQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';

export type Target = { port: number };
export type ToWaiters =
  | { t: 'connect'; round: number; eventId: string; key: string; places: number; first: number; count: number; targets: Target[]; width: number }
  | { t: 'record'; on: boolean }
  | { t: 'report' };
export type NodeStats = {
  /** Waiters of this process on the node. */
  waiters: number;
  /** head -> [deliveries, slowest delay ms] for heads above the start of recording. */
  perHead: Record<string, [number, number]>;
  /** delay ms -> deliveries (every delivery timed). */
  histogram: Record<string, number>;
  /** Heads the node's sampler heard above the start, and the waiters that missed one of them. */
  sampledHeads: number;
  missedMoves: number;
  soldOutHeard: number;
};
export type FromWaiters =
  | { t: 'connected'; connected: number; retries: number; failed: number }
  | { t: 'recording' }
  | { t: 'soldOut'; heard: number; lastAt: number }
  | { t: 'report'; nodes: NodeStats[]; lost: number; soldOutHeard: number; lastSoldOutAt: number; soldOutStatusAt: number | null };

const send = (m: FromWaiters) => process.send!(m);
const connectAttempts = 4;
const welcomeTimeoutMs = 30_000;
const stateOffset = 73;
const headKey = Buffer.from('"head":');
const pong = Buffer.from([0x8a, 0x80, 0, 0, 0, 0]);

let sockets: net.Socket[] = [];
/** Every socket of this process reads into this one buffer: a read is handled before the next one starts. */
const readBuffer = Buffer.alloc(64 * 1024);
let readers: ((nread: number, buf: Buffer) => void)[] = [];
let nodeOf = new Uint8Array(0);
let lastHead = new Int32Array(0);
let headsAbove = new Int32Array(0);
let soldOut = new Uint8Array(0);
let nodes = 0;
let recording = false;
/** Heads above this (per process, fixed when recording starts) count as moves. */
let startHead = 2 ** 31 - 1;
let lost = 0;
let soldOutHeard = 0;
let lastSoldOutAt = 0;
/** `at` of the first sold-out tick a sampler parsed: the owner's clock when the drop sold out. */
let soldOutStatusAt: number | null = null;
let connected = 0;
/** Parallel arrays: one entry per timed delivery. */
let dHead: number[] = [];
let dNode: number[] = [];
let dAt: number[] = [];
/** Per node: the sampler's index, head -> movedAt, heads it heard above the start. */
let samplers: number[] = [];
const movedAt = new Map<number, number>();
let sampledHeads: Set<number>[] = [];

function onTick(i: number, buf: Buffer, start: number, end: number, at: number): void {
  const isSampler = samplers[nodeOf[i]!] === i;
  if (isSampler) {
    const tick = JSON.parse(buf.toString('utf8', start, end)) as { head: number; headMovedAt: string | null; state: string; at: string };
    if (tick.state === 'sold_out') soldOutStatusAt = Math.min(soldOutStatusAt ?? Infinity, Date.parse(tick.at));
    if (tick.headMovedAt !== null && !movedAt.has(tick.head)) movedAt.set(tick.head, Date.parse(tick.headMovedAt));
    if (tick.head > startHead) sampledHeads[nodeOf[i]!]!.add(tick.head);
  }
  // The state's closing quote, then `","head":` (9 bytes) and the digits; `indexOf` only if the keys ever move.
  let q = start + stateOffset;
  while (q < end && buf[q] !== 0x22) q++;
  const k = buf[q + 3] === 0x68 && buf[q + 8] === 0x3a ? q + 9 : buf.indexOf(headKey, start + stateOffset) + headKey.length;
  let head = 0;
  for (let p = k; p < end; p++) {
    const c = buf[p]!;
    if (c < 48 || c > 57) break;
    head = head * 10 + c - 48;
  }
  if (head > lastHead[i]!) {
    lastHead[i] = head;
    if (head > startHead) headsAbove[i]!++;
    if (recording && head > startHead) {
      dHead.push(head);
      dNode.push(nodeOf[i]!);
      dAt.push(at);
    }
  }
  // "sold_out" at the fixed offset of the state.
  if (soldOut[i] === 0 && buf[start + stateOffset] === 0x73 && buf[start + stateOffset + 1] === 0x6f) {
    soldOut[i] = 1;
    soldOutHeard++;
    lastSoldOutAt = at;
    if (soldOutHeard === connected) send({ t: 'soldOut', heard: soldOutHeard, lastAt: lastSoldOutAt });
  }
}

/** Frames in `buf` from `off` to `end`; returns where an incomplete frame starts (or `end`). */
function onFrames(i: number, buf: Buffer, off: number, end: number, greet: () => void): number {
  const at = Date.now();
  while (end - off >= 2) {
    let len = buf[off + 1]! & 127;
    let h = 2;
    if (len === 126) {
      if (end - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      h = 4;
    } else if (len === 127) {
      if (end - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      h = 10;
    }
    if (end - off < h + len) break;
    const opcode = buf[off]! & 15;
    const start = off + h;
    // '{"type":"' is 9 bytes: then 't' for a tick, 'w' for the welcome.
    if (opcode === 1 && buf[start + 9] === 0x74 && buf[start + 10] === 0x69) onTick(i, buf, start, start + len, at);
    else if (opcode === 1 && buf[start + 9] === 0x77) greet();
    else if (opcode === 9) sockets[i]?.write(pong);
    off = start + len;
  }
  return off;
}

function connectOne(m: Extract<ToWaiters, { t: 'connect' }>, local: number, attempt: number, retries: { n: number; failed: number }): Promise<void> {
  return new Promise((resolve) => {
    const global = m.first + local;
    const node = global % m.targets.length;
    const ticket = signQueueTicket({ eventId: m.eventId, place: 1 + (global % m.places), buyer: `bench-${global}`, issuedAt: Date.now() }, Buffer.from(m.key, 'base64'));
    const socket = net.connect({ host: `127.0.${m.round}.${node + 1}`, port: m.targets[node]!.port, onread: { buffer: readBuffer, callback: (n) => (readers[local]!(n, readBuffer), true) } });
    nodeOf[local] = node;
    let upgraded = false;
    let greeted = false;
    let pending: Buffer | null = null;
    let gone = false;
    let failed = false;
    const greet = () => {
      if (greeted) return;
      greeted = true;
      sockets[local] = socket;
      connected++;
      if (samplers[node] === undefined) samplers[node] = local;
      resolve();
    };
    const fail = (why: unknown) => {
      if (failed) return;
      if (greeted) {
        if (!gone) lost++;
        gone = true;
        return;
      }
      failed = true;
      socket.destroy();
      if (retries.n++ === 0) process.stderr.write(`[waiters] a connection failed (tried again): ${why instanceof Error ? why.message : String(why)}\n`);
      if (attempt < connectAttempts) setTimeout(() => void connectOne(m, local, attempt + 1, retries).then(resolve), 200 * attempt);
      else {
        retries.failed++;
        resolve();
      }
    };
    socket.on('connect', () => {
      socket.write(`GET /api/events/${m.eventId}/queue/live?queueTicket=${ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    // Read straight into the process's one buffer (no Buffer, no stream event per read); only a split frame is copied.
    const onRead = (nread: number, chunk: Buffer): void => {
      let buf = chunk;
      let end = nread;
      if (pending !== null) {
        buf = Buffer.concat([pending, chunk.subarray(0, nread)]);
        end = buf.length;
        pending = null;
      }
      let off = 0;
      if (!upgraded) {
        const head = buf.subarray(0, end).indexOf('\r\n\r\n');
        if (head < 0) return void (pending = Buffer.from(buf.subarray(0, end)));
        if (!buf.toString('latin1', 0, 12).endsWith(' 101')) return fail(`answered ${buf.toString('latin1', 0, Math.min(head, 200))}`);
        upgraded = true;
        off = head + 4;
      }
      off = onFrames(local, buf, off, end, greet);
      if (off < end) pending = Buffer.from(buf.subarray(off, end));
    };
    readers[local] = onRead;
    socket.on('error', fail);
    socket.on('close', () => fail('closed before the welcome'));
    // A node too busy to greet (or a hello stuck on a shard between owners) must not hold a connect lane forever.
    setTimeout(() => {
      if (!greeted) fail(`no welcome within ${welcomeTimeoutMs / 1000} s`);
    }, welcomeTimeoutMs).unref();
  });
}

async function connectAll(m: Extract<ToWaiters, { t: 'connect' }>): Promise<void> {
  nodes = m.targets.length;
  sockets = new Array<net.Socket>(m.count);
  readers = new Array<(nread: number, buf: Buffer) => void>(m.count);
  nodeOf = new Uint8Array(m.count);
  lastHead = new Int32Array(m.count).fill(-1);
  headsAbove = new Int32Array(m.count);
  soldOut = new Uint8Array(m.count);
  samplers = [];
  startHead = 2 ** 31 - 1;
  recording = false;
  sampledHeads = Array.from({ length: nodes }, () => new Set<number>());
  connected = 0;
  lost = 0;
  soldOutHeard = 0;
  soldOutStatusAt = null;
  const retries = { n: 0, failed: 0 };
  let next = 0;
  const lane = async () => {
    while (next < m.count) await connectOne(m, next++, 1, retries);
  };
  await Promise.all(Array.from({ length: Math.min(m.width, m.count) }, lane));
  send({ t: 'connected', connected, retries: retries.n, failed: retries.failed });
}

function report(): void {
  const stats: NodeStats[] = Array.from({ length: nodes }, () => ({ waiters: 0, perHead: {}, histogram: {}, sampledHeads: 0, missedMoves: 0, soldOutHeard: 0 }));
  for (let i = 0; i < sockets.length; i++) {
    if (sockets[i] === undefined) continue;
    const s = stats[nodeOf[i]!]!;
    s.waiters++;
    if (soldOut[i] === 1) s.soldOutHeard++;
    if (headsAbove[i]! < sampledHeads[nodeOf[i]!]!.size) s.missedMoves++;
  }
  for (let n = 0; n < nodes; n++) stats[n]!.sampledHeads = sampledHeads[n]!.size;
  for (let d = 0; d < dHead.length; d++) {
    const moved = movedAt.get(dHead[d]!);
    if (moved === undefined) continue;
    const s = stats[dNode[d]!]!;
    const delay = Math.max(0, dAt[d]! - moved);
    const key = String(dHead[d]);
    const row = s.perHead[key] ?? (s.perHead[key] = [0, 0]);
    row[0]++;
    row[1] = Math.max(row[1], delay);
    s.histogram[delay] = (s.histogram[delay] ?? 0) + 1;
  }
  send({ t: 'report', nodes: stats, lost, soldOutHeard, lastSoldOutAt, soldOutStatusAt });
}

process.on('message', (m: ToWaiters) => {
  if (m.t === 'connect') void connectAll(m);
  else if (m.t === 'record') {
    if (m.on) {
      // Above every head any socket here has seen: what counts as a move is then the same for all of them.
      startHead = 0;
      for (let i = 0; i < lastHead.length; i++) startHead = Math.max(startHead, lastHead[i]!);
      dHead = [];
      dNode = [];
      dAt = [];
    }
    recording = m.on;
    send({ t: 'recording' });
  } else if (m.t === 'report') report();
});
process.on('disconnect', () => process.exit(0));
