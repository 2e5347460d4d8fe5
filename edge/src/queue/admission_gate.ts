import { verifyAdmissionToken, type AdmissionRefusal } from '../../../engine/src/queue/admission_token.ts';
import type { DropSettings } from '../../../engine/src/queue/types.ts';
import { HttpError } from '../http/errors.ts';
import type { DropSettingsCache } from './settings_cache.ts';

/** Status, code and a sentence per refused admission token. */
const refusals: Record<AdmissionRefusal | 'missing' | 'quantity', { status: number; code: string; message: string }> = {
  missing: { status: 403, code: 'admission_token_required', message: 'This drop has a queue: join it, exchange your queue ticket at POST /api/events/:id/admission when your turn comes, and send the admission token in the "Admission-Token" header.' },
  malformed: { status: 400, code: 'admission_token_malformed', message: 'The Admission-Token header is not an admission token; send the token exactly as POST /admission returned it.' },
  forged: { status: 403, code: 'admission_token_forged', message: 'This admission token was not issued by Tickr or was altered; get a new one at POST /admission.' },
  wrong_event: { status: 403, code: 'admission_token_wrong_drop', message: 'This admission token is for another drop; use the token of this event.' },
  wrong_buyer: { status: 403, code: 'admission_token_wrong_account', message: 'This admission token belongs to another account; sign in with the account that queued.' },
  expired: { status: 403, code: 'admission_token_expired', message: 'This admission token has expired; your admission window closed.' },
  quantity: { status: 422, code: 'admission_quantity_exceeded', message: 'This admission token allows fewer tickets; lower the quantity.' },
};

function refuse(why: keyof typeof refusals, extra?: Record<string, unknown>): HttpError {
  const r = refusals[why];
  return new HttpError(r.status, r.code, r.message, extra);
}

/**
 * The admission check of `placeHold` on a queued drop, at the edge: the engine
 * itself never asks for a token, so internal callers (payment jobs re-holding
 * after a late payment) are not blocked. Answers whether the hold comes through
 * an admission (the worker then allows one such hold per buyer), or throws the
 * refusal. Synchronous when the drop's settings are cached.
 */
export class AdmissionGate {
  constructor(private readonly settings: DropSettingsCache, private readonly key: Uint8Array, private readonly now: () => number = Date.now) {}

  check(eventId: string, buyer: string, token: string, qty: number): boolean | Promise<boolean> {
    const cached = this.settings.peek(eventId);
    if (cached !== undefined) return this.decide(cached, eventId, buyer, token, qty);
    return this.settings.get(eventId).then((s) => this.decide(s, eventId, buyer, token, qty));
  }

  private decide(settings: DropSettings | null, eventId: string, buyer: string, token: string, qty: number): boolean {
    if (settings === null || !settings.queueEnabled) return false;
    if (token === '') throw refuse('missing');
    const check = verifyAdmissionToken(token, this.key, { eventId, buyer, now: this.now() });
    if (!check.ok) throw refuse(check.reason);
    if (qty > check.token.maxQuantity) throw refuse('quantity', { maxQuantity: check.token.maxQuantity });
    return true;
  }
}
