import { updateEvent, type EventRow } from '../db/events.ts';
import type { Db } from '../db/pool.ts';
import type { EngineVerbs } from '../engine_verbs.ts';
import { EventRefused, invalidField } from '../events/errors.ts';
import { reconfigureActor } from '../events/reconfigure.ts';
import { windowProblem } from '../events/rules.ts';
import { ensureLotterySecret, upsertDropSettings } from './store.ts';
import type { DropSettings, HoldRequirement, QueueAnswer } from './types.ts';

/** A drop's settings before the organizer changes any. */
export const dropSettingsDefault: DropSettings = {
  queueEnabled: false,
  waitingRoomOpensAt: null,
  ratePerMinute: 'auto',
  admissionTokenTtlMs: 5 * 60_000,
  powBits: 0,
  paused: false,
  holdRequires: 'account',
  holdsPerAddressMax: null,
};

/** What an organizer sends to change a drop (validated at the edge); absent: unchanged. Sale start and the per-buyer limit are the event's own. */
export type DropSettingsChange = {
  queueEnabled?: boolean;
  waitingRoomOpensAt?: Date | null;
  saleStartsAt?: Date | null;
  admissionRatePerMinute?: number | 'auto';
  admissionTokenTtlSeconds?: number;
  perBuyerLimit?: number;
  powBits?: number;
  paused?: boolean;
  holdRequires?: HoldRequirement;
  holdsPerAddressMax?: number | null;
};

/** `remember`: the caller's cache of drop settings, told before the queue is, so this node holds by the new settings at once. */
export type DropSettingsDeps = { db: Db; engine: EngineVerbs; remember: (eventId: string, settings: DropSettings) => void };

/** The drop as it now is, and the queue actor's answer to its new settings (a refusal is the caller's to word). */
export type ChangedDrop = { settings: DropSettings; saleStartsAt: Date | null; perBuyerLimit: number; answer: QueueAnswer };

/** `change` applied to `current`: what the drop's settings become. */
export function mergeDropSettings(current: DropSettings, change: DropSettingsChange): DropSettings {
  return {
    queueEnabled: change.queueEnabled ?? current.queueEnabled,
    waitingRoomOpensAt: change.waitingRoomOpensAt === undefined ? current.waitingRoomOpensAt : change.waitingRoomOpensAt?.getTime() ?? null,
    ratePerMinute: change.admissionRatePerMinute ?? current.ratePerMinute,
    admissionTokenTtlMs: change.admissionTokenTtlSeconds === undefined ? current.admissionTokenTtlMs : change.admissionTokenTtlSeconds * 1000,
    powBits: change.powBits ?? current.powBits,
    paused: change.paused ?? current.paused,
    holdRequires: change.holdRequires ?? current.holdRequires,
    holdsPerAddressMax: change.holdsPerAddressMax === undefined ? current.holdsPerAddressMax : change.holdsPerAddressMax,
  };
}

/**
 * Changes the drop of the organizer's own `event` from its `current`
 * settings. The waiting room must open before the sale (EventError 400).
 * Sale start and the per-buyer limit are written to the event and its
 * inventory actor told (its refusal: EventRefused). Then the lottery's seed
 * and commitment, and the settings, are durable before the queue actor is
 * configured, so it can never publish either first.
 */
export async function changeDropSettings(deps: DropSettingsDeps, event: EventRow, current: DropSettings, change: DropSettingsChange): Promise<ChangedDrop> {
  const next = mergeDropSettings(current, change);
  const saleStartsAt = change.saleStartsAt === undefined ? event.saleStartsAt : change.saleStartsAt;
  if (next.waitingRoomOpensAt !== null && saleStartsAt !== null && next.waitingRoomOpensAt > saleStartsAt.getTime()) {
    throw invalidField({ path: 'waitingRoomOpensAt', message: 'waitingRoomOpensAt must not be after saleStartsAt: the waiting room opens before the sale' });
  }
  if (change.saleStartsAt !== undefined || change.perBuyerLimit !== undefined) {
    const problem = windowProblem({ startsAt: event.startsAt, endsAt: event.endsAt, saleStartsAt, saleEndsAt: event.saleEndsAt });
    if (problem) throw invalidField(problem);
    await updateEvent(deps.db, event.id, {
      ...(change.saleStartsAt !== undefined ? { saleStartsAt: change.saleStartsAt } : {}),
      ...(change.perBuyerLimit !== undefined ? { perBuyerLimit: change.perBuyerLimit } : {}),
    });
    const refusal = await reconfigureActor(deps, event.id);
    if (refusal !== null) throw new EventRefused(refusal);
  }
  const secret = await ensureLotterySecret(deps.db, event.id);
  await upsertDropSettings(deps.db, event.id, next);
  deps.remember(event.id, next);
  const outcome = await deps.engine.queue({ eventId: event.id, op: { type: 'configure', settings: next, secret } });
  if (!outcome.ok) throw new EventRefused(outcome);
  return { settings: next, saleStartsAt, perBuyerLimit: change.perBuyerLimit ?? event.perBuyerLimit, answer: outcome.answer };
}
