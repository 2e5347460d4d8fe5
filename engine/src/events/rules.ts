/**
 * The rules an event's fields obey together, whoever changes them: the edge's
 * create schema, the event edit (events/edit.ts) and the drop settings
 * (queue/settings.ts) check the merged event with them. Each returns the
 * broken rule (the field at fault and a sentence saying what to fix), or null.
 */

/** A problem with one field of an event: its name, and what to do. */
export type FieldProblem = { path: string; message: string };

type Window = { startsAt: Date; endsAt?: Date | null | undefined; saleStartsAt?: Date | null | undefined; saleEndsAt?: Date | null | undefined };

/** Ordering rules shared by create and patch (on the merged event). Returns the broken rule, or null. */
export function windowProblem(w: Window): FieldProblem | null {
  if (w.endsAt && w.endsAt <= w.startsAt) return { path: 'endsAt', message: 'endsAt must be after startsAt' };
  if (w.saleStartsAt && w.saleEndsAt && w.saleEndsAt <= w.saleStartsAt) return { path: 'saleEndsAt', message: 'saleEndsAt must be after saleStartsAt' };
  const end = w.endsAt ?? null;
  if (end && w.saleStartsAt && w.saleStartsAt >= end) return { path: 'saleStartsAt', message: 'saleStartsAt must be before endsAt' };
  if (end && w.saleEndsAt && w.saleEndsAt > end) return { path: 'saleEndsAt', message: 'saleEndsAt must not be after endsAt' };
  return null;
}

/** latitude and longitude go together. Returns the broken rule, or null. */
export function placeProblem(p: { latitude?: number | null | undefined; longitude?: number | null | undefined }): FieldProblem | null {
  const hasLat = p.latitude !== undefined && p.latitude !== null;
  const hasLon = p.longitude !== undefined && p.longitude !== null;
  if (hasLat !== hasLon) return { path: hasLat ? 'longitude' : 'latitude', message: 'latitude and longitude go together: send both, or neither' };
  return null;
}

/** refundUntilDays goes with refundPolicy "until" and only with it. Returns the broken rule, or null. */
export function refundPolicyProblem(p: { refundPolicy: string; refundUntilDays: number | null }): FieldProblem | null {
  if (p.refundPolicy === 'until' && p.refundUntilDays === null) return { path: 'refundUntilDays', message: 'refundUntilDays is required with refundPolicy "until": the number of days before the start that refunds close, e.g. 7' };
  if (p.refundPolicy !== 'until' && p.refundUntilDays !== null) return { path: 'refundUntilDays', message: 'refundUntilDays goes with refundPolicy "until" only; remove it or set refundPolicy to "until"' };
  return null;
}
