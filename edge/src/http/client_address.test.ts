import { describe, expect, it } from 'vitest';
import { createAddressResolver, isStorefrontProof, limitKeyOf, normalizeAddress, storefrontProof } from './client_address.ts';

describe('client address', () => {
  it('trusts no proxy by default: the peer is the client, whatever X-Forwarded-For says', () => {
    const resolve = createAddressResolver({ hops: 0 });
    expect(resolve('127.0.0.1', '203.0.113.9', false)).toBe('127.0.0.1');
    expect(resolve('10.0.0.5', '203.0.113.9, 10.0.0.1', false)).toBe('10.0.0.5');
    expect(resolve('::ffff:198.51.100.4', '', false)).toBe('198.51.100.4');
  });

  it('with one trusted hop takes the rightmost forwarded address, never what the client wrote to its left', () => {
    const resolve = createAddressResolver({ hops: 1 });
    expect(resolve('10.0.0.1', '6.6.6.6, 203.0.113.9', false)).toBe('203.0.113.9');
    expect(resolve('10.0.0.1', '', false)).toBe('10.0.0.1');
    expect(createAddressResolver({ hops: 2 })('10.0.0.1', '6.6.6.6, 203.0.113.9, 10.0.0.2', false)).toBe('203.0.113.9');
    // More hops than the chain has: the leftmost is as far as it goes.
    expect(createAddressResolver({ hops: 5 })('10.0.0.1', '203.0.113.9', false)).toBe('203.0.113.9');
  });

  it('with trusted ranges walks from the right past trusted addresses', () => {
    const resolve = createAddressResolver({ cidrs: ['10.0.0.0/8', '::1'] });
    expect(resolve('10.1.2.3', '6.6.6.6, 203.0.113.9, 10.0.0.7', false)).toBe('203.0.113.9');
    expect(resolve('::1', '203.0.113.9', false)).toBe('203.0.113.9');
    expect(resolve('198.51.100.1', '203.0.113.9', false)).toBe('198.51.100.1');
    expect(resolve('10.1.2.3', '10.0.0.1', false)).toBe('10.0.0.1');
  });

  it('believes the storefront for its one hop, and only with the proof', () => {
    const resolve = createAddressResolver({ hops: 0 });
    expect(resolve('127.0.0.1', '6.6.6.6, 198.51.100.7', true)).toBe('198.51.100.7');
    expect(createAddressResolver({ hops: 1 })('127.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.9', true)).toBe('198.51.100.7');
    expect(isStorefrontProof(storefrontProof)).toBe(true);
    expect(isStorefrontProof('x'.repeat(storefrontProof.length))).toBe(false);
    expect(isStorefrontProof('')).toBe(false);
  });

  it('never takes a hop that is not an address', () => {
    expect(createAddressResolver({ hops: 1 })('10.0.0.1', 'not-an-ip', false)).toBe('10.0.0.1');
    expect(createAddressResolver({ hops: 2 })('10.0.0.1', 'junk, 203.0.113.9', false)).toBe('203.0.113.9');
  });

  it('counts IPv6 per /64 and IPv4 per address', () => {
    expect(limitKeyOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitKeyOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(limitKeyOf('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe('2001:db8:1:2::/64');
    expect(limitKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(limitKeyOf('203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeAddress(' ::FFFF:203.0.113.9 ')).toBe('203.0.113.9');
  });
});
