/**
 * Throughput of forwarding on loopback: client → server → handler → back,
 * with a handler that answers at once, so the figure is the transport's own
 * ceiling. Not a test. Run: node --import tsx engine/src/cluster/forward_micro.ts [seconds] [concurrency]
 */
import { randomBytes } from 'node:crypto';
import type { Command, Outcome } from '../inventory/types.ts';
import { ForwardClient } from './forward_client.ts';
import { startForwardServer } from './forward_server.ts';

const seconds = Number(process.argv[2] ?? 3);
const concurrency = Number(process.argv[3] ?? 10_000);
/* Any secret will do: the handshake is once per connection, so it does not show in the figure. */
const secret = randomBytes(32);

const handle = async (cmd: Command): Promise<Outcome> =>
  cmd.kind === 'placeHold'
    ? {
        ok: true, kind: 'held',
        hold: { holdId: 'h1', eventId: cmd.eventId, typeId: cmd.typeId, qty: cmd.qty, buyer: cmd.buyer, price: 5_000, currency: 'EUR', status: 'held', expiresAt: Date.now() + 480_000 },
      }
    : { ok: false, reason: 'event_not_found' };

const server = await startForwardServer({ host: '127.0.0.1', port: 0, handle, secret, log: () => {} });
const client = new ForwardClient({ secret });
const peer = `127.0.0.1:${server.port}`;

let done = 0;
let failed = 0;
const until = Date.now() + seconds * 1_000;
/* Each lane sends its next command when the last is answered: `concurrency` commands always in flight. */
async function lane(n: number): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    const cmd: Command = { kind: 'placeHold', eventId: `ev-${n % 64}`, typeId: 'ga', qty: 2, buyer: `buyer-${n}`, key: `k-${n}-${i}` };
    const outcome = await client.send(peer, cmd);
    if (outcome.ok) done++;
    else failed++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, n) => lane(n)));
const elapsedS = (performance.now() - started) / 1_000;
const c = client.stats();
console.log(
  `forward: ${Math.round(done / elapsedS).toLocaleString('en')} commands/s over ${elapsedS.toFixed(1)} s ` +
    `(concurrency ${concurrency}, ${done} ok, ${failed} failed, ${c.framesOut} frames out, ` +
    `${Math.round(c.forwarded / c.framesOut)} commands/frame, server frames in/out ${server.stats().framesIn}/${server.stats().framesOut})`,
);
await client.close();
await server.close();
