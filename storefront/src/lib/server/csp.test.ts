import { describe, expect, it } from 'vitest';
import { stripeSources, webSocketOrigin, widenCsp } from './csp.ts';

const base = "default-src 'self'; script-src 'self' 'nonce-abc'; connect-src 'self'; frame-ancestors 'none'";

describe('the page policy gains the sources known per request', () => {
  it('adds a source to an existing directive and keeps the rest as it was', () => {
    expect(widenCsp(base, { 'connect-src': ['ws://shop.example:3000'] }))
      .toBe("default-src 'self'; script-src 'self' 'nonce-abc'; connect-src 'self' ws://shop.example:3000; frame-ancestors 'none'");
  });

  it('adds a directive the policy lacks, and never repeats a source', () => {
    const wide = widenCsp(base, stripeSources);
    expect(wide).toContain("script-src 'self' 'nonce-abc' https://js.stripe.com");
    expect(wide).toContain('frame-src https://js.stripe.com https://hooks.stripe.com');
    expect(widenCsp(wide, stripeSources)).toBe(wide);
  });
});

describe('the WebSocket origin the queue page opens', () => {
  it('is the edge port on the page host, ws for http and wss for https', () => {
    expect(webSocketOrigin(new URL('http://127.0.0.1:5173/events/1/queue'), 3000, null)).toBe('ws://127.0.0.1:3000');
    expect(webSocketOrigin(new URL('https://tickets.example/events/1/queue'), 8443, null)).toBe('wss://tickets.example:8443');
    expect(webSocketOrigin(new URL('http://[::1]:5173/'), 3000, null)).toBe('ws://[::1]:3000');
  });

  it('is the configured public WebSocket URL when there is one', () => {
    expect(webSocketOrigin(new URL('https://tickets.example/'), 3000, 'wss://live.tickets.example/ws')).toBe('wss://live.tickets.example');
    expect(webSocketOrigin(new URL('https://tickets.example/'), 3000, 'not a url')).toBeNull();
  });

  it('leaves out a host name that could write into the policy', () => {
    expect(webSocketOrigin(new URL('http://a;script-src/'), 3000, null)).toBeNull();
  });
});
