import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createPool, type Db } from '../../engine/src/db/pool.ts';
import { ParticipantPool, nodeTokens } from './participants.ts';
import { progress } from './progress.ts';
import type { BenchOptions } from './scenarios/index.ts';
import { startTickr, type TickrServer } from './server.ts';
import { createGaEvent, inParallel, signupOrganizer, type EventView } from './tickr_api.ts';

/**
 * One node with an organizer and an event, for the scenarios past `holds`
 * (tickets, checkin, flash-sale): started the way `holds` starts one, with a
 * ticket key secret the bench knows (so it can sign check-in secrets the node
 * accepts) and a pool on the node's PostgreSQL for setup rows and the checks
 * that read the database after a run. `withStack` stops the node whatever
 * happens, and keeps its log when the run broke.
 */

export type Stack = {
  server: TickrServer;
  db: Db;
  tag: string;
  organizer: string;
  event: EventView;
  pool: ParticipantPool;
  /** TICKR_TICKET_KEY_SECRET given to the node. */
  ticketKeySecret: string;
};

export type EventShape = { capacity: number; perBuyerLimit: number; holdTtlSeconds: number; price?: number; currency?: string };

export async function withStack<T>(opts: BenchOptions, shape: EventShape, fn: (stack: Stack) => Promise<T>): Promise<T> {
  const ticketKeySecret = randomBytes(48).toString('base64url');
  progress(`starting a Tickr node (${opts.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'})`);
  // TICKR_TRUST_PROXY=1: the bench stands in for one proxy in front of the node, so each simulated
  // participant comes from its own address (X-Forwarded-For), under the per-address limits.
  const server = await startTickr({
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}), extraEnv: { TICKR_TICKET_KEY_SECRET: ticketKeySecret, TICKR_TRUST_PROXY: '1' },
    ...(opts.cpuProfDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProfDir)}`] } : {}),
  });
  progress(`node up at ${server.url} (pid ${server.pid}, log ${server.logFile})`);
  const db = createPool(server.databaseUrl, 4);
  let failed = true;
  try {
    const tag = Date.now().toString(36);
    const organizer = await signupOrganizer(server.url, tag);
    const event = await createGaEvent(server.url, organizer, {
      name: `Bench ${tag}`, capacity: shape.capacity, perBuyerLimit: shape.perBuyerLimit, holdTtlSeconds: shape.holdTtlSeconds,
      startsInDays: 30, ...(shape.currency === undefined ? {} : { currency: shape.currency }), ...(shape.price === undefined ? {} : { price: shape.price }),
    });
    const result = await fn({ server, db, tag, organizer, event, pool: new ParticipantPool(server, tag), ticketKeySecret });
    failed = false;
    return result;
  } finally {
    await db.end().catch(() => {});
    progress(failed ? `stopping the node; its log stays at ${server.logFile}` : 'stopping the node');
    await server.stop({ keepLog: failed });
  }
}

/** A staff account assigned to the event, made in the database (staff are invited, not signed up), and its token. */
export async function makeStaff(stack: Stack): Promise<{ id: string; token: string }> {
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO accounts (email, password_hash, name, role) VALUES ($1, 'scrypt$disabled', 'Bench staff', 'staff') RETURNING id::text AS id`,
    [`staff-${stack.tag}@bench.tickr.test`],
  );
  const id = rows[0]!.id;
  await stack.db.query('INSERT INTO event_staff (event_id, account_id) VALUES ($1, $2)', [stack.event.id, id]);
  return { id, token: await nodeTokens(stack.server.tokenSecret).sign({ sub: id, role: 'staff', name: 'Bench staff' }) };
}

export type PlacedHold = { holdId: string; token: string; quantity: number; status: number };

/**
 * `count` holds of `quantity` tickets, one buyer each, `width` at once: the
 * setup of a sell-out (not measured). Answers other than 201 are returned
 * with their status, not thrown: past the stock they are 409 sold_out.
 */
export async function placeHolds(stack: Stack, count: number, quantity: number, width = 32): Promise<PlacedHold[]> {
  const tokens = await stack.pool.take(count);
  const typeId = stack.event.ticketTypes[0]!.id;
  return inParallel(count, width, async (i) => {
    const token = tokens[i]!;
    const response = await fetch(`${stack.server.url}/api/events/${stack.event.id}/holds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': `${stack.tag}-setup-${i}` },
      body: JSON.stringify({ typeId, quantity }),
    });
    const body = (await response.json().catch(() => ({}))) as { holdId?: string };
    return { holdId: body.holdId ?? '', token, quantity, status: response.status };
  });
}
