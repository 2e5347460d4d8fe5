import { z } from 'zod';
import { holdsPerAddressMaxMax, perBuyerLimitMax } from '../../../engine/src/constants.ts';
import { holdRequirements } from '../../../engine/src/queue/types.ts';
import { admissionRatePerMinuteMax, admissionTokenTtlMsMax, admissionTokenTtlMsMin, powBitsMax, signedTextCharsMax } from '../../../engine/src/queue/limits.ts';
import { powNonceCharsMax } from '../../../engine/src/queue/pow.ts';

/** The queue's request bodies; messages name the field and say what a valid value looks like (as ../validation.ts). */

function int(name: string, min: number, max: number) {
  const error = (issue: { input?: unknown }) => (issue.input === undefined ? `${name} is required: an integer from ${min} to ${max}` : `${name} must be an integer from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function dateTime(name: string) {
  return z.iso.datetime({ offset: true, error: `${name} must be an ISO 8601 date-time, e.g. 2027-07-10T20:00:00Z, or null` }).transform((s) => new Date(s));
}

const rate = z.union([int('admissionRatePerMinute', 1, admissionRatePerMinuteMax), z.literal('auto')], {
  error: `admissionRatePerMinute must be "auto" or an integer from 1 to ${admissionRatePerMinuteMax}`,
});

/** PATCH semantics: only the fields sent change; the first PATCH starts from the defaults. */
export const dropSettingsSchema = z.strictObject({
  queueEnabled: z.boolean({ error: 'queueEnabled must be true or false' }).optional(),
  waitingRoomOpensAt: dateTime('waitingRoomOpensAt').nullable().optional(),
  saleStartsAt: dateTime('saleStartsAt').nullable().optional(),
  admissionRatePerMinute: rate.optional(),
  admissionTokenTtlSeconds: int('admissionTokenTtlSeconds', admissionTokenTtlMsMin / 1000, admissionTokenTtlMsMax / 1000).optional(),
  perBuyerLimit: int('perBuyerLimit', 1, perBuyerLimitMax).optional(),
  powBits: int('powBits', 0, powBitsMax).optional(),
  paused: z.boolean({ error: 'paused must be true or false' }).optional(),
  holdRequires: z.enum(holdRequirements, { error: `holdRequires must be one of ${holdRequirements.map((r) => `"${r}"`).join(', ')}` }).optional(),
  holdsPerAddressMax: z.union([int('holdsPerAddressMax', 1, holdsPerAddressMaxMax), z.null()], {
    error: `holdsPerAddressMax must be an integer from 1 to ${holdsPerAddressMaxMax}, or null for no cap`,
  }).optional(),
}).superRefine((p, ctx) => {
  if (Object.keys(p).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'send at least one setting to change, e.g. { "paused": true }' });
});
export type DropSettingsInput = z.infer<typeof dropSettingsSchema>;

export const joinSchema = z.strictObject({
  pow: z.strictObject({
    issuedAt: int('pow.issuedAt', 0, Number.MAX_SAFE_INTEGER),
    nonce: z.string({ error: `pow.nonce must be a string of 1 to ${powNonceCharsMax} base64url characters` }).min(1).max(powNonceCharsMax),
  }).optional(),
});

export const admissionSchema = z.strictObject({
  queueTicket: z.string({ error: 'queueTicket is required: the queue ticket POST /queue returned' }).min(1, { error: 'queueTicket must not be empty' })
    .max(signedTextCharsMax, { error: `queueTicket must be at most ${signedTextCharsMax} characters` }),
});
