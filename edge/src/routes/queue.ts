import { selectEventAccess, type EventRow } from '../../../engine/src/db/events.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { Engine } from '../../../engine/src/engine.ts';
import { EngineVerbs } from '../../../engine/src/engine_verbs.ts';
import { signAdmissionToken } from '../../../engine/src/queue/admission_token.ts';
import { powChallengeTtlMs, queueJoinsPerAddressMax, queueJoinsWindowMs } from '../../../engine/src/queue/limits.ts';
import { joinedListDigest } from '../../../engine/src/queue/lottery.ts';
import { powChallenge, verify as verifyPow } from '../../../engine/src/queue/pow.ts';
import { signQueueTicket, verifyQueueTicket } from '../../../engine/src/queue/queue_ticket.ts';
import { changeDropSettings, dropSettingsDefault } from '../../../engine/src/queue/settings.ts';
import { selectDropSettings, selectProof } from '../../../engine/src/queue/store.ts';
import type { DropSettings, QueueAnswer, QueueOp, QueueRefusal, QueueStatus } from '../../../engine/src/queue/types.ts';
import { requireRole } from '../auth/guard.ts';
import { eventIdParam, isOwnEvent, requireOwnEvent } from '../auth/own_event.ts';
import { createRateLimiter } from '../auth/rate_limit.ts';
import { HttpError, outcomeToHttp } from '../http/errors.ts';
import type { Ctx, Router } from '../http/route.ts';
import type { DropSettingsCache } from '../queue/settings_cache.ts';
import type { HoldPolicy } from '../queue/hold_policy.ts';
import { admissionSchema, dropSettingsSchema, joinSchema } from '../queue/validation.ts';
import { parseBody } from '../validation.ts';
import { eventErrorToHttp } from './events.ts';
import { publishedIdsCacheMax } from '../../../engine/src/constants.ts';
import { limitKeyOf } from '../http/client_address.ts';

export type QueueDeps = {
  db: Db;
  engine: Engine;
  key: Uint8Array;
  settings: DropSettingsCache;
  /** Tells this node's waiters at once (pause, rate change). */
  publish: (status: QueueStatus) => void;
  /** A drop's `holdRequires` applies to joining too (absent: no check, as in tests of the queue alone). */
  policy?: Pick<HoldPolicy, 'requireForJoin'>;
  now?: () => number;
};

const queueRefusals: Record<QueueRefusal, { status: number; message: string }> = {
  queue_off: { status: 409, message: 'This drop has no queue; place holds directly.' },
  waiting_room_closed: { status: 403, message: 'The waiting room of this drop is not open yet; come back at waitingRoomOpensAt.' },
  queue_full: { status: 503, message: 'The queue of this drop is full.' },
  not_admitted_yet: { status: 409, message: 'Your place is not admitted yet; wait until the head reaches it (watch ws /queue/live).' },
  admission_lapsed: { status: 410, message: 'Your admission window has closed; your place was passed and not used in time.' },
  sold_out: { status: 410, message: 'This drop is sold out.' },
  paused: { status: 409, message: 'Admission is paused by the organizer; keep your place and wait.' },
  not_drawn: { status: 409, message: 'The lottery is drawn at sale start; until then nobody has a place. Keep waiting.' },
};

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The JSON shape of a status, as HTTP answers and WebSocket ticks carry it. */
export function statusView(s: QueueStatus) {
  return {
    eventId: s.eventId, state: s.state, head: s.head, placed: s.placed, joined: s.joined, drawn: s.drawn,
    stockLeft: s.stockLeft, msPerPlace: s.msPerPlace, ratePerMinute: s.ratePerMinute, headMovedAt: iso(s.headMovedAt),
    saleStartsAt: iso(s.saleStartsAt), waitingRoomOpensAt: iso(s.waitingRoomOpensAt), at: iso(s.at),
  };
}

function settingsView(s: DropSettings, saleStartsAt: Date | null, perBuyerLimit: number) {
  return {
    queueEnabled: s.queueEnabled,
    waitingRoomOpensAt: iso(s.waitingRoomOpensAt),
    saleStartsAt: saleStartsAt === null ? null : saleStartsAt.toISOString(),
    admissionRatePerMinute: s.ratePerMinute,
    admissionTokenTtlSeconds: Math.round(s.admissionTokenTtlMs / 1000),
    perBuyerLimit,
    powBits: s.powBits,
    paused: s.paused,
    holdRequires: s.holdRequires,
    holdsPerAddressMax: s.holdsPerAddressMax,
  };
}

/** What every queue route shares: the typed engine, the clock, and the two checks below. */
type QueueKit = {
  engine: EngineVerbs;
  now: () => number;
  /** A draft's queue answers like a missing event to anyone but its organizer (nobody can join it, #15). */
  refuseDraft(ctx: Ctx, eventId: string): Promise<void>;
  /** The queue's answer to `op`, or the HttpError of an engine or queue refusal. */
  ask(eventId: string, op: QueueOp): Promise<Exclude<QueueAnswer, { ok: false }>>;
};

/** The HttpError of a queue refusal, with the queue's status when it has one. */
function queueRefusal(answer: Extract<QueueAnswer, { ok: false }>): HttpError {
  const r = queueRefusals[answer.reason];
  return new HttpError(r.status, answer.reason, r.message, answer.status === null ? undefined : { queue: statusView(answer.status) });
}

function queueKit(deps: QueueDeps): QueueKit {
  const { db } = deps;
  const engine = new EngineVerbs(deps.engine);
  // Publishing is one way, so an event once seen published stays so: its queue routes skip the database from then on.
  const published = new Set<string>();
  return {
    engine,
    now: deps.now ?? Date.now,
    async refuseDraft(ctx, eventId) {
      if (published.has(eventId)) return;
      const row = await selectEventAccess(db, eventId, null);
      if (row === null) return;
      if (row.status === 'published') {
        if (published.size >= publishedIdsCacheMax) published.clear();
        published.add(eventId);
        return;
      }
      if (!isOwnEvent(ctx, row)) throw outcomeToHttp({ ok: false, reason: 'event_not_found' });
    },
    async ask(eventId, op) {
      const outcome = await engine.queue({ eventId, op });
      if (!outcome.ok) throw outcomeToHttp(outcome);
      const answer = outcome.answer;
      if (!answer.ok) throw queueRefusal(answer);
      return answer;
    },
  };
}

export function mountQueue(router: Router, deps: QueueDeps): void {
  const kit = queueKit(deps);
  mountDropSettings(router, deps, kit);
  mountQueueJoin(router, deps, kit);
  mountQueueReads(router, deps, kit);
  mountAdmission(router, deps, kit);
}

/** The organizer's settings of a drop: read, and changed through engine/src/queue/settings.ts. */
function mountDropSettings(router: Router, deps: QueueDeps, { engine }: QueueKit): void {
  const { db, settings } = deps;
  const currentOf = async (event: EventRow) => (await selectDropSettings(db, event.id)) ?? dropSettingsDefault;

  router.route('get', '/api/events/:id/queue/settings', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    return { status: 200, body: settingsView(await currentOf(event), event.saleStartsAt, event.perBuyerLimit) };
  });

  router.route('patch', '/api/events/:id/queue/settings', async (ctx) => {
    const { event } = await requireOwnEvent(ctx, db);
    const input = parseBody(dropSettingsSchema, ctx.body);
    let changed;
    try {
      changed = await changeDropSettings({ db, engine, remember: (id, next) => settings.set(id, next) }, event, await currentOf(event), input);
    } catch (error) {
      throw eventErrorToHttp(error);
    }
    const answer = changed.answer;
    if (!answer.ok) throw queueRefusal(answer);
    if (answer.type === 'configured') deps.publish(answer.status);
    return { status: 200, body: settingsView(changed.settings, changed.saleStartsAt, changed.perBuyerLimit) };
  }, { body: true });
}

/** A participant takes a place: the challenge of proof of work, then the join. */
function mountQueueJoin(router: Router, deps: QueueDeps, { now, refuseDraft, ask }: QueueKit): void {
  const { key, settings } = deps;
  const joins = createRateLimiter({ max: queueJoinsPerAddressMax, windowMs: queueJoinsWindowMs, now });

  router.route('get', '/api/events/:id/queue/challenge', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const eventId = eventIdParam(ctx);
    await refuseDraft(ctx, eventId);
    const s = await settings.get(eventId);
    if (s === null || !s.queueEnabled) throw new HttpError(409, 'queue_off', queueRefusals.queue_off.message);
    const issuedAt = now();
    return { status: 200, body: { challenge: powChallenge(eventId, claims.sub, issuedAt), issuedAt, bits: s.powBits, expiresAt: new Date(issuedAt + powChallengeTtlMs).toISOString() } };
  });

  router.route('post', '/api/events/:id/queue', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const eventId = eventIdParam(ctx);
    await refuseDraft(ctx, eventId);
    const input = parseBody(joinSchema, ctx.body);
    const limited = joins.take(limitKeyOf(ctx.clientAddress));
    if (!limited.ok) {
      throw new HttpError(429, 'too_many_joins', `Too many joins from your address; retry in ${limited.retryAfterSeconds} s.`, undefined, { 'retry-after': String(limited.retryAfterSeconds) });
    }
    const s = await settings.get(eventId);
    if (s === null || !s.queueEnabled) throw new HttpError(409, 'queue_off', queueRefusals.queue_off.message);
    if (s.powBits > 0) checkPow(eventId, claims.sub, s.powBits, input.pow, now());
    await deps.policy?.requireForJoin(s, claims.sub);
    const joined = await ask(eventId, { type: 'join', buyer: claims.sub });
    if (joined.type !== 'joined') throw new Error(`queue answered ${joined.type}, expected joined`);
    const queueTicket = joined.place === null ? null : signQueueTicket({ eventId, place: joined.place, buyer: claims.sub, issuedAt: now() }, key);
    return {
      status: joined.again ? 200 : 201,
      body: { eventId, queueTicketId: joined.queueTicketId, seq: joined.seq, place: joined.place, queueTicket, queue: statusView(joined.status) },
    };
  }, { body: true });
}

/** Anyone may watch a drop's queue and check its lottery. */
function mountQueueReads(router: Router, deps: QueueDeps, { now, refuseDraft, ask }: QueueKit): void {
  const { db, settings } = deps;

  router.route('get', '/api/events/:id/queue', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await refuseDraft(ctx, eventId);
    const answer = await ask(eventId, { type: 'status' });
    if (answer.type !== 'status') throw new Error(`queue answered ${answer.type}, expected status`);
    return { status: 200, body: statusView(answer.status) };
  });

  router.route('get', '/api/events/:id/queue/proof', async (ctx) => {
    const eventId = eventIdParam(ctx);
    await refuseDraft(ctx, eventId);
    const [s, proof] = await Promise.all([settings.get(eventId), selectProof(db, eventId)]);
    if (s === null || proof === null) throw new HttpError(404, 'queue_off', 'This drop has no queue, so no lottery.');
    const open = s.waitingRoomOpensAt === null || now() >= s.waitingRoomOpensAt;
    const ids = proof.joinedQueueTicketIds;
    return {
      status: 200,
      body: {
        eventId,
        algorithm: 'order = joinedQueueTicketIds sorted ascending by HMAC-SHA256(key = seed bytes, message = utf8(id)) as lowercase hex, ties by id; place = index + 1. commitment = sha256(seed bytes). digest: h0 = 32 zero bytes, h_i = sha256(h_{i-1} || utf8(id_i)).',
        commitment: open ? proof.commitment : null,
        seed: proof.seed,
        drawnAt: proof.drawnAt === null ? null : proof.drawnAt.toISOString(),
        joinedQueueTicketIds: ids,
        joinedListDigest: ids === null ? null : joinedListDigest(ids).digest,
      },
    };
  });
}

/** A waiter whose place the head reached trades its queue ticket for an admission token. */
function mountAdmission(router: Router, { key }: QueueDeps, { refuseDraft, ask }: QueueKit): void {
  router.route('post', '/api/events/:id/admission', async (ctx) => {
    const claims = requireRole(ctx, 'participant');
    const eventId = eventIdParam(ctx);
    await refuseDraft(ctx, eventId);
    const input = parseBody(admissionSchema, ctx.body);
    const checked = verifyQueueTicket(input.queueTicket, key);
    if (!checked.ok) {
      if (checked.reason === 'malformed') throw new HttpError(400, 'queue_ticket_malformed', 'queueTicket is not a queue ticket; send it exactly as POST /queue returned it.');
      throw new HttpError(403, 'queue_ticket_forged', 'This queue ticket was not issued by Tickr or was altered.');
    }
    const ticket = checked.ticket;
    if (ticket.eventId !== eventId) throw new HttpError(403, 'queue_ticket_wrong_drop', 'This queue ticket is for another drop.');
    if (ticket.buyer !== claims.sub) throw new HttpError(403, 'queue_ticket_wrong_account', 'This queue ticket belongs to another account; sign in with the account that queued.');
    const admitted = await ask(eventId, { type: 'admit', place: ticket.place });
    if (admitted.type !== 'admitted') throw new Error(`queue answered ${admitted.type}, expected admitted`);
    const token = { eventId, buyer: claims.sub, maxQuantity: admitted.perBuyerLimit, expiresAt: admitted.admissionEndsAt };
    return { status: 201, body: { admissionToken: signAdmissionToken(token, key), expiresAt: new Date(token.expiresAt).toISOString(), maxQuantity: token.maxQuantity, place: ticket.place } };
  }, { body: true });
}

function checkPow(eventId: string, buyer: string, bits: number, pow: { issuedAt: number; nonce: string } | undefined, now: number): void {
  if (pow === undefined) {
    throw new HttpError(403, 'pow_required', `This drop asks for proof of work: GET /api/events/${eventId}/queue/challenge, find a nonce, send { "pow": { "issuedAt", "nonce" } }.`, { bits });
  }
  if (pow.issuedAt > now || now - pow.issuedAt > powChallengeTtlMs) {
    throw new HttpError(403, 'pow_expired', 'This proof-of-work challenge has expired or is from the future; get a new one.', { bits });
  }
  if (!verifyPow(powChallenge(eventId, buyer, pow.issuedAt), pow.nonce, bits)) {
    throw new HttpError(403, 'pow_invalid', `The nonce does not give ${bits} leading zero bits for your challenge.`, { bits });
  }
}
