import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import uWS from 'uWebSockets.js';
import { wsBackpressureBytesMax, wsIdleTimeoutSeconds, wsMessageBytesMax } from '../../../engine/src/queue/limits.ts';

/**
 * The waiting room's floor, a same-run baseline of `queue --nodes N`: a bare
 * uWS process with Tickr's WebSocket route and settings (no compression, the
 * same backpressure bound, pings, idle timeout) that does nothing but
 * subscribe each socket to one topic, greet it, and publish the tick text it
 * is handed to every socket with one `app.publish`, as a Tickr node does. No
 * ticket check, no engine, no Redis: what is left is uWS, the kernel and the
 * same client processes, i.e. the delivery this machine allows. The scenario
 * runs N of these, as many as Tickr's nodes, with the same waiters and the
 * same tick bytes (queue_cluster.ts).
 *
 * - `ws /api/events/:id/queue/live`: welcome `{"type":"welcome",...}`, then ticks.
 * - `POST /publish` (body: the tick's text): publishes it; answers 204.
 * - `GET /memory`: waiters, the slowest publish (ms, since the last call) and
 *   memory after a full GC, as Tickr's `GET /bench/memory`.
 *
 * Environment: PORT. Prints `listening on http://127.0.0.1:<port>` when ready.
 */

const port = Number(process.env.PORT ?? 0);
const topic = 'queue/floor';
let waiters = 0;
let publishMsMax = 0;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Waiter = { eventId: string };

const app = uWS.App();
app.ws<Waiter>('/api/events/:id/queue/live', {
  compression: uWS.DISABLED,
  maxPayloadLength: wsMessageBytesMax,
  maxBackpressure: wsBackpressureBytesMax,
  closeOnBackpressureLimit: 0,
  idleTimeout: wsIdleTimeoutSeconds,
  sendPingsAutomatically: true,
  upgrade: (res, req, context) => {
    res.upgrade({ eventId: req.getParameter(0) ?? '' }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  },
  open: (ws) => {
    ws.subscribe(topic);
    waiters++;
    ws.send(JSON.stringify({ type: 'welcome', eventId: ws.getUserData().eventId, place: 1 }), false);
  },
  close: () => {
    waiters--;
  },
});
app.post('/publish', (res) => {
  let body = Buffer.alloc(0);
  res.onAborted(() => {});
  res.onData((chunk, last) => {
    body = Buffer.concat([body, Buffer.from(chunk)]);
    if (!last) return;
    const started = performance.now();
    app.publish(topic, body, false);
    publishMsMax = Math.max(publishMsMax, performance.now() - started);
    res.cork(() => res.writeStatus('204 No Content').end());
  });
});
app.get('/memory', (res) => {
  gc();
  const m = process.memoryUsage();
  const body = JSON.stringify({ waiters, publishMsMax, rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed });
  publishMsMax = 0;
  res.cork(() => res.writeHeader('content-type', 'application/json').end(body));
});
app.listen(port, (token) => {
  if (!token) {
    console.error(`could not listen on ${port}`);
    process.exit(1);
  }
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
