import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

/** TICKR_CLUSTER_SECRET and TICKR_INTERNAL_HOST: the internal port is never open without authentication. */

const secret = 'a-cluster-secret-of-at-least-32-characters';
const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
/** Production refuses to start without these first; they are here so the cluster secret is what is missing. */
const productionSecrets = { TICKR_TOKEN_SECRET: 't'.repeat(32), TICKR_TICKET_KEY_SECRET: 'k'.repeat(32) };

describe('cluster settings', () => {
  it('refuses REDIS_URL without TICKR_CLUSTER_SECRET, in development as in production, saying what to set', () => {
    for (const env of [redis, { ...redis, ...productionSecrets, NODE_ENV: 'production' }]) {
      expect(() => readConfig(env)).toThrow(ConfigError);
      expect(() => readConfig(env)).toThrow(/TICKR_CLUSTER_SECRET must be set when REDIS_URL is set.*at least 32 characters/);
    }
  });

  it('refuses a cluster secret shorter than 32 characters', () => {
    expect(() => readConfig({ ...redis, TICKR_CLUSTER_SECRET: 'x'.repeat(31) })).toThrow(/TICKR_CLUSTER_SECRET must be at least 32 characters/);
    expect(readConfig({ ...redis, TICKR_CLUSTER_SECRET: 'x'.repeat(32) }).clusterSecret).toEqual(Buffer.from('x'.repeat(32)));
  });

  it('needs no secret alone, and then keeps the internal host on loopback whatever is advertised', () => {
    const alone = readConfig({ TICKR_ADVERTISE_HOST: '10.0.0.5' });
    expect(alone.clusterSecret).toBeNull();
    expect(alone.internalHost).toBe('127.0.0.1');
  });

  it('listens where peers are told to reach it in a cluster, unless TICKR_INTERNAL_HOST says otherwise', () => {
    expect(readConfig({ ...redis, TICKR_CLUSTER_SECRET: secret }).internalHost).toBe('127.0.0.1');
    expect(readConfig({ ...redis, TICKR_CLUSTER_SECRET: secret, TICKR_ADVERTISE_HOST: '10.0.0.5' }).internalHost).toBe('10.0.0.5');
    expect(readConfig({ ...redis, TICKR_CLUSTER_SECRET: secret, TICKR_ADVERTISE_HOST: 'node1', TICKR_INTERNAL_HOST: '0.0.0.0' }).internalHost).toBe('0.0.0.0');
  });

  it('refuses a TICKR_INTERNAL_HOST that is not an address or a host name', () => {
    expect(() => readConfig({ TICKR_INTERNAL_HOST: '0.0.0.0:4000' })).toThrow(/TICKR_INTERNAL_HOST must be an IP address or a host name/);
    expect(readConfig({ TICKR_INTERNAL_HOST: '::' }).internalHost).toBe('::');
  });
});
