import type { LoadSpec } from './autocannon_run.ts';
import type { Check } from './report_types.ts';
import { getEvent, type TicketTypeView } from './tickr_api.ts';

/** What a holds load aims at: one ticket type of one event, one ticket a hold. */
export type HoldTarget = { eventId: string; typeId: string };

export const holdPath = (t: HoldTarget) => `/api/events/${encodeURIComponent(t.eventId)}/holds`;
export const holdBody = (t: HoldTarget) => JSON.stringify({ typeId: t.typeId, quantity: 1 });
export const holdHeaders = (token: string, key: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key });

/**
 * A load of holds on `url`: buyers in turn, so each one's count grows evenly;
 * a fresh Idempotency-Key per request (`<keyPrefix>-<seq>`): each is a new
 * hold, not a retry.
 */
export function holdLoad(url: string, target: HoldTarget, o: { tokens: string[]; keyPrefix: string; connections: number; durationS: number }): LoadSpec {
  return {
    url,
    method: 'POST',
    path: holdPath(target),
    body: holdBody(target),
    connections: o.connections,
    durationS: o.durationS,
    makeRequest: (seq) => ({ headers: holdHeaders(o.tokens[seq % o.tokens.length]!, `${o.keyPrefix}-${seq}`) }),
  };
}

/**
 * Tickets of the target's type neither sold nor held, as `url` reports them
 * (`fallback` when the type is not listed). A load needs no more buyers than
 * this can use: past it, answers are sold_out whoever asks.
 */
export async function stockLeft(url: string, target: HoldTarget, fallback: number): Promise<number> {
  const type = (await getEvent(url, target.eventId)).ticketTypes.find((t) => t.id === target.typeId);
  return type ? type.capacity - type.sold - type.held : fallback;
}

/**
 * The oversell check every load of holds ends with, one per ticket type as
 * the node reports it: sold + held never past capacity. With `madeWith` (the
 * capacity the event was made with), a type's sales must also fit that, so a
 * capacity raised meanwhile cannot hide an oversell.
 */
export function oversellChecks(types: TicketTypeView[], madeWith?: number): Check[] {
  return types.map((type) => {
    const out = type.sold + type.held;
    return {
      name: `no oversell (${type.name ?? type.id})`,
      ok: out <= type.capacity && (madeWith === undefined || type.sold <= madeWith),
      detail: `sold ${type.sold} + held ${type.held} = ${out} <= capacity ${type.capacity}${madeWith === undefined ? '' : `, sold ${type.sold} <= ${madeWith} (the capacity it was made with)`}`,
    };
  });
}
