import type { Refusal } from '../inventory/types.ts';

/**
 * An expected refusal of an event workflow (edit, drop settings), not a bug:
 * the edge answers it with its status and the one JSON error shape. `field`
 * names the input at fault, so a form can show the sentence under it.
 */
export class EventError extends Error {
  override name = 'EventError';
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** An engine refusal met in an event workflow (capacity below what is sold, busy, ...): the edge words it as every refusal. */
export class EventRefused extends Error {
  override name = 'EventRefused';
  readonly refusal: Refusal;

  constructor(refusal: Refusal) {
    super(`the engine refused: ${refusal.reason}`);
    this.refusal = refusal;
  }
}

/** A broken rule of the merged event (events/rules.ts) as the 400 that names its field. */
export function invalidField(problem: { path: string; message: string }): EventError {
  return new EventError(400, 'invalid_body', problem.message, problem.path);
}
