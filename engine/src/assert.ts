/**
 * A broken invariant is a bug, never an outcome: it throws, and the worker that
 * hosts the actor dies and is rebuilt from the journal.
 */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function assert(condition: unknown, message = 'invariant broken'): asserts condition {
  if (!condition) throw new InvariantError(message);
}
