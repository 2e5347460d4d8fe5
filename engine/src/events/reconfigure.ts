import { selectEventConfig } from '../db/events.ts';
import type { Db } from '../db/pool.ts';
import type { EngineVerbs } from '../engine_verbs.ts';
import type { Refusal } from '../inventory/types.ts';

/**
 * Hands the event's settings (prices, limit, TTL, sale window, types on sale,
 * draft, cancelled) to its inventory actor, after they were written to
 * Postgres. A refusal (busy, moving between nodes) is answered, not thrown:
 * Postgres has the change already and the actor reads it when it is next
 * loaded, so retrying the request is safe. Null when told, or when there is
 * no such event.
 */
export async function reconfigureActor(deps: { db: Db; engine: EngineVerbs }, eventId: string): Promise<Refusal | null> {
  const config = await selectEventConfig(deps.db, eventId);
  if (config === null) return null;
  const outcome = await deps.engine.reconfigure({ eventId, config });
  return outcome.ok ? null : outcome;
}
