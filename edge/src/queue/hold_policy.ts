import { isIP } from 'node:net';
import { verifiedAccountsCachedMax } from '../../../engine/src/constants.ts';
import { isEmailVerified } from '../../../engine/src/db/accounts.ts';
import type { Db } from '../../../engine/src/db/pool.ts';
import type { DropSettings } from '../../../engine/src/queue/types.ts';
import { HttpError } from '../http/errors.ts';
import type { DropSettingsCache } from './settings_cache.ts';

/**
 * A drop's defences against hoarding by throwaway accounts (#11), checked at
 * the hold route: what a buyer needs to hold (`holdRequires`), and the
 * per-address cap (`holdsPerAddressMax`). The cap itself is counted by the
 * inventory actor, which sees every hold of the event in order, so it is exact
 * under concurrency and across expiry, release and sale; this only tells the
 * actor the address and the cap. Synchronous when the drop's settings are
 * cached and no database look-up is needed, like the admission gate.
 */

/** What the placeHold command carries for the cap; empty when the drop has none. */
export type HoldTerms = { address?: string; addressMax?: number };

/** The terms of a hold on a drop without a cap (and of every hold when the policy is not mounted). */
export const noTerms: HoldTerms = Object.freeze({});

const verificationRequired = (then: string) => new HttpError(403, 'verification_required',
  `This drop sells only to accounts with a verified email: verify yours (your account page sends the link; POST /api/auth/verify-email/request), open the link, then ${then} again.`,
  { requires: 'verified_email' });

export class HoldPolicy {
  /** Accounts seen verified: a verified email stays verified, so only positives are remembered. */
  private readonly verified = new Set<string>();

  constructor(private readonly settings: DropSettingsCache, private readonly db: Db) {}

  /** This node verified the account (a link was used here): no look-up for its next hold. */
  markVerified(accountId: string): void {
    if (this.verified.size >= verifiedAccountsCachedMax) this.verified.clear();
    this.verified.add(accountId);
  }

  /** The terms of the hold, or throws its refusal. `address` is read only when the drop caps holds per address. */
  check(eventId: string, buyer: string, address: () => string): HoldTerms | Promise<HoldTerms> {
    const cached = this.settings.peek(eventId);
    if (cached !== undefined) return this.decide(cached, buyer, address);
    // Read before the await (rarely: once a second per drop): the address of a request is gone once it ends.
    const remote = address();
    return this.settings.get(eventId).then((s) => this.decide(s, buyer, () => remote));
  }

  private decide(s: DropSettings | null, buyer: string, address: () => string): HoldTerms | Promise<HoldTerms> {
    if (s === null) return noTerms;
    const terms = termsOf(s, address);
    if (s.holdRequires === 'account' || this.verified.has(buyer)) return terms;
    return isEmailVerified(this.db, buyer).then((ok) => {
      if (!ok) throw verificationRequired('hold');
      this.markVerified(buyer);
      return terms;
    });
  }

  /**
   * A drop that holds only for verified emails lets only them join its queue
   * (#15): a place in line that can never hold would waste the wait, and fill
   * the line with throwaway accounts. Resolves, or throws the refusal.
   */
  requireForJoin(s: DropSettings, buyer: string): void | Promise<void> {
    if (s.holdRequires === 'account' || this.verified.has(buyer)) return;
    return isEmailVerified(this.db, buyer).then((ok) => {
      if (!ok) throw verificationRequired('join the queue');
      this.markVerified(buyer);
    });
  }
}

function termsOf(s: DropSettings, addressOf: () => string): HoldTerms {
  if (s.holdsPerAddressMax === null) return noTerms;
  const address = addressOf();
  // No address means the client went away: nothing will read the answer, and an uncounted hold must not be placed.
  if (address === '') throw new HttpError(400, 'no_client_address', 'The request has no client address; retry.');
  return { address: addressKey(address), addressMax: s.holdsPerAddressMax };
}

/**
 * The key an address is counted under. IPv4 (also written as IPv4-mapped
 * IPv6) as is; IPv6 by its /64, since one subscriber usually gets a whole
 * /64 and could otherwise take a fresh address per hold. Anything that is not
 * an address (a forwarded header's garbage) is its own key.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/%.*$/, '');
  const kind = isIP(a);
  if (kind === 4) return a;
  if (kind !== 6) return a.slice(0, 64);
  const groups = expandIpv6(a);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (a dotted IPv4 tail counts as two). */
function expandIpv6(a: string): number[] {
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [b0, b1, b2, b3] = g.split('.').map(Number) as [number, number, number, number];
        out.push((b0 << 8) | b1, (b2 << 8) | b3);
      } else {
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const [head = '', tail] = a.split('::');
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
