/**
 * Which address a request comes from, for the limits that count per address
 * (sign-in failures, sign-ups, queue joins).
 *
 * The peer of the TCP connection is the client unless it is a proxy we trust;
 * then the proxy's X-Forwarded-For names the hop before it. Proxies append, so
 * the chain reads `client, proxy1, proxy2` + the peer, and only its right end
 * can be believed: we walk it from the right past the hops we trust and take
 * the first address we do not. Anything a client writes itself sits to the
 * left of that and is never read.
 *
 * The node's own storefront (storefront/serve.ts, same process) proxies /api
 * and the pages' server calls to the edge over loopback. It is trusted for
 * exactly one hop, and not because it comes from loopback: any process on the
 * machine can connect from loopback, and in docker-compose a published port
 * can make every client look private. Instead it proves itself with a secret
 * made once per process (`storefrontProof`), which never leaves the process:
 * serve.ts hands it to the storefront's server side through its environment,
 * and it travels only on loopback requests to this edge. A request without
 * the proof is judged by TICKR_TRUST_PROXY alone (default: no proxy).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '../../../engine/src/config.ts';

/** The request header that carries `storefrontProof`. */
export const storefrontProofHeader = 'x-tickr-storefront';
/** Made once per process; the storefront served by this process sends it back. */
export const storefrontProof = randomBytes(32).toString('base64url');
const proofBytes = Buffer.from(storefrontProof);

/** Forwarded hops read at most, from the right: a longer chain is a client's own noise. */
const forwardedHopsMax = 32;

export function isStorefrontProof(value: string): boolean {
  if (value.length !== storefrontProof.length) return false;
  return timingSafeEqual(Buffer.from(value), proofBytes);
}

export type AddressResolver = (peer: string, forwardedFor: string, viaStorefront: boolean) => string;

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as a dual-stack socket reports it) reads as plain IPv4. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^(?:0{1,4}:){5}ffff:(\d+\.\d+\.\d+\.\d+)$|^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped !== null) return (mapped[1] ?? mapped[2])!;
  return a;
}

function trustedRanges(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/**
 * A resolver for one configuration. `peer` is the socket's address,
 * `forwardedFor` the raw X-Forwarded-For ('' when absent), `viaStorefront`
 * whether the request carried this process's storefront proof.
 */
export function createAddressResolver(trust: TrustProxy): AddressResolver {
  const ranges = 'cidrs' in trust ? trustedRanges(trust.cidrs) : null;
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return ranges !== null && family !== 0 && ranges.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };

  return (peer, forwardedFor, viaStorefront) => {
    const chain = forwardedFor === '' ? [] : forwardedFor.split(',').slice(-forwardedHopsMax).map(normalizeAddress);
    chain.push(normalizeAddress(peer));
    // The storefront is one hop trusted by construction: skip its own connection.
    let at = chain.length - 1 - (viaStorefront && chain.length > 1 ? 1 : 0);
    if (ranges === null) {
      at = Math.max(0, at - (trust as { hops: number }).hops);
    } else {
      while (at > 0 && isTrusted(chain[at]!)) at--;
    }
    // An entry that is no address was written by someone we did not trust to
    // write it; the nearest hop right of it that is an address stands in.
    while (at < chain.length - 1 && isIP(chain[at]!) === 0) at++;
    return chain[at]!;
  };
}

/**
 * The key to count an address under. IPv6 is counted per /64: one customer
 * line usually holds a whole /64, so counting single addresses would give a
 * guesser 2^64 fresh ones.
 */
export function limitKeyOf(address: string): string {
  if (isIP(address) !== 6) return address;
  return expandIPv6(address).slice(0, 4).join(':') + '::/64';
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...zeros, ...right].map((part) => part.replace(/^0+(?=.)/, ''));
}
