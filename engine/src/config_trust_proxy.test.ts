import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

describe('TICKR_TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(readConfig({}).trustProxy).toEqual({ hops: 0 });
  });

  it('reads a hop count or a list of addresses and ranges', () => {
    expect(readConfig({ TICKR_TRUST_PROXY: '2' }).trustProxy).toEqual({ hops: 2 });
    expect(readConfig({ TICKR_TRUST_PROXY: '10.0.0.0/8, ::1, 192.168.1.7' }).trustProxy).toEqual({ cidrs: ['10.0.0.0/8', '::1', '192.168.1.7'] });
  });

  it('stops the process with a sentence for anything else', () => {
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', '11', '10.0.0.0/8/1', 'fe80::/129']) {
      expect(() => readConfig({ TICKR_TRUST_PROXY: bad })).toThrow(ConfigError);
    }
    expect(() => readConfig({ TICKR_TRUST_PROXY: 'nope' })).toThrow(/hop count or a comma-separated list/);
  });

  it('reads the sign-up limit per address', () => {
    expect(readConfig({}).signupsPerAddress).toBe(20);
    expect(readConfig({ TICKR_SIGNUPS_PER_ADDRESS: '5' }).signupsPerAddress).toBe(5);
    expect(() => readConfig({ TICKR_SIGNUPS_PER_ADDRESS: '0' })).toThrow(ConfigError);
  });
});
