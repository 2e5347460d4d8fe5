import { Redis } from 'ioredis';
import uWS from 'uWebSockets.js';
import { durablePool, pgContender, redisContender, type Contender } from './contenders.ts';
import { groupCommitContender } from './group_commit.ts';
import { groupCommitWorkerContender } from './group_commit_worker.ts';
import { isBaselineName, isGroupCommit, usesPostgres } from './names.ts';

/**
 * One peer baseline as a tiny HTTP server, run as a child process the way the
 * bench runs a Tickr node: the same uWS front and the same request as Tickr's
 * hold, `POST /api/events/:id/holds` with JSON `{ typeId, quantity }`, a bearer
 * token (only its presence is checked: Tickr's token check is its own cost),
 * and an `Idempotency-Key`. Answers 201 `{ holdId }`, 409 `{ error: "sold_out" }`.
 *
 * Environment: BASELINE (a name of names.ts), PORT, DATABASE_URL (PostgreSQL
 * baselines and the group-commit floors) or REDIS_URL and REDIS_PREFIX (redis-lua),
 * POOL_SIZE (default 16; the floors use 4 connections), BROKEN=1 for the
 * deliberately broken form (contenders.ts, group_commit.ts).
 * Prints `listening on http://127.0.0.1:<port>` when ready.
 */

const name = process.env.BASELINE ?? '';
if (!isBaselineName(name)) {
  console.error(`BASELINE must be a baseline name, got "${name}"`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 0);
const broken = process.env.BROKEN === '1';
const poolSize = Number(process.env.POOL_SIZE ?? 16);
const bodyBytesMax = 16_384;

let contender: Contender;
let close: () => Promise<void>;
if (isGroupCommit(name)) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const floor = await (name === 'group-commit' ? groupCommitContender : groupCommitWorkerContender)(url, { broken });
  contender = floor;
  close = floor.close;
} else if (usesPostgres(name)) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  // Each hold is committed, and flushed, before the answer.
  const db = durablePool(url, poolSize);
  contender = pgContender(name, db, { broken });
  close = () => db.end();
} else {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is required');
  const redis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  contender = redisContender(redis, process.env.REDIS_PREFIX ?? 'bench:', { broken });
  // QUIT waits for the replies still due: every hold sent is answered (or failed) before the exit.
  close = async () => void (await redis.quit());
}

type Res = uWS.HttpResponse;
const send = (res: Res, aborted: () => boolean, status: string, body: string) => {
  if (aborted()) return;
  res.cork(() => res.writeStatus(status).writeHeader('content-type', 'application/json').end(body));
};
const problem = (code: string) => JSON.stringify({ error: code });

function handle(res: Res, auth: string, key: string, text: string, aborted: () => boolean): void {
  if (!auth.startsWith('Bearer ') || auth.length <= 7) return send(res, aborted, '401 Unauthorized', problem('unauthorized'));
  if (key === '') return send(res, aborted, '400 Bad Request', problem('idempotency_key_required'));
  let body: { typeId?: unknown; quantity?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return send(res, aborted, '400 Bad Request', problem('malformed_json'));
  }
  const { typeId, quantity } = body ?? {};
  if (typeof typeId !== 'string' || typeId === '' || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
    return send(res, aborted, '400 Bad Request', problem('invalid_hold'));
  }
  contender.hold(typeId, quantity, key).then(
    (outcome) =>
      outcome === 'sold_out'
        ? send(res, aborted, '409 Conflict', problem('sold_out'))
        : send(res, aborted, '201 Created', JSON.stringify({ holdId: outcome.holdId })),
    (error: unknown) => {
      console.error(`hold failed: ${(error as Error).message}`);
      send(res, aborted, '500 Internal Server Error', problem('internal'));
    },
  );
}

const app = uWS.App().post('/api/events/:id/holds', (res, req) => {
  // Everything out of `req` before anything asynchronous.
  const auth = req.getHeader('authorization');
  const key = req.getHeader('idempotency-key');
  let isAborted = false;
  const aborted = () => isAborted;
  res.onAborted(() => (isAborted = true));
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  res.onData((chunk, last) => {
    if (refused) return;
    size += chunk.byteLength;
    if (size > bodyBytesMax) {
      refused = true;
      return send(res, aborted, '413 Payload Too Large', problem('body_too_large'));
    }
    // The chunk is only valid during this callback: copy it.
    chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (last) handle(res, auth, key, Buffer.concat(chunks, size).toString('utf8'), aborted);
  });
});

let listenSocket: uWS.us_listen_socket | undefined;
app.listen('127.0.0.1', port, (socket) => {
  listenSocket = socket || undefined;
  if (!socket) {
    console.error(`could not listen on ${port}`);
    process.exit(1);
  }
  console.log(`${name}${broken ? ' (broken)' : ''} listening on http://127.0.0.1:${uWS.us_socket_local_port(socket)}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    // No new connections; the pool (or Redis) ends once the holds in flight are done.
    if (listenSocket) uWS.us_listen_socket_close(listenSocket);
    void close().finally(() => process.exit(0));
  });
}
