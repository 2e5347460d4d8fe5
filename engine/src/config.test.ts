import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

const secrets = { TICKR_TOKEN_SECRET: 't'.repeat(40), TICKR_TICKET_KEY_SECRET: 'k'.repeat(40) };

function refusal(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('readConfig accepted it');
}

describe('production mode (NODE_ENV=production)', () => {
  it('refuses to start without its secrets, saying which to set and how', () => {
    expect(refusal({ NODE_ENV: 'production' })).toMatch(/NODE_ENV=production needs TICKR_TOKEN_SECRET and TICKR_TICKET_KEY_SECRET: set each to 32\+ random characters \(openssl rand -base64 48\)/);
    expect(refusal({ NODE_ENV: 'production', TICKR_TOKEN_SECRET: secrets.TICKR_TOKEN_SECRET })).toMatch(/needs TICKR_TICKET_KEY_SECRET: set it/);
    expect(refusal({ NODE_ENV: 'production', TICKR_TICKET_KEY_SECRET: secrets.TICKR_TICKET_KEY_SECRET })).toMatch(/needs TICKR_TOKEN_SECRET: set it/);
  });

  it('starts with them, and uses them rather than a random stand-in', () => {
    const config = readConfig({ NODE_ENV: 'production', ...secrets });
    expect(config.production).toBe(true);
    expect(config.tokenSecretEphemeral).toBe(false);
    expect(config.ticketKeySecretEphemeral).toBe(false);
    expect(Buffer.from(config.tokenSecret).toString()).toBe(secrets.TICKR_TOKEN_SECRET);
  });

  it('seeds no demo accounts, and refuses to be told to', () => {
    expect(readConfig({ NODE_ENV: 'production', ...secrets }).seedDemo).toBe(false);
    expect(refusal({ NODE_ENV: 'production', ...secrets, TICKR_SEED_DEMO: '1' })).toMatch(/TICKR_SEED_DEMO=1 seeds demo accounts whose passwords are public/);
    expect(readConfig({ NODE_ENV: 'production', ...secrets, TICKR_SEED_DEMO: '0' }).seedDemo).toBe(false);
  });

  it('refuses the chaos run\'s lease clock skew, which only fault tests set', () => {
    expect(readConfig({ NODE_ENV: 'production', ...secrets }).testClockSkewFile).toBeNull();
    expect(refusal({ NODE_ENV: 'production', ...secrets, TICKR_TEST_CLOCK_SKEW_FILE: '/tmp/skew' })).toMatch(/TICKR_TEST_CLOCK_SKEW_FILE skews the lease clock for fault tests/);
    expect(readConfig({ TICKR_TEST_CLOCK_SKEW_FILE: '/tmp/skew' }).testClockSkewFile).toBe('/tmp/skew');
  });
});

describe('development mode', () => {
  it('runs without secrets (they come from the data folder at start) and seeds the demo', () => {
    const config = readConfig({});
    expect(config.production).toBe(false);
    expect(config.tokenSecretEphemeral).toBe(true);
    expect(config.ticketKeySecretEphemeral).toBe(true);
    expect(config.seedDemo).toBe(true);
  });
});

describe('TICKR_METRICS_TOKEN', () => {
  it('is off unless set, and must be long enough not to be guessed', () => {
    expect(readConfig({}).metricsToken).toBeNull();
    expect(readConfig({ TICKR_METRICS_TOKEN: 'm'.repeat(32) }).metricsToken).toBe('m'.repeat(32));
    expect(refusal({ TICKR_METRICS_TOKEN: 'short' })).toMatch(/TICKR_METRICS_TOKEN must be at least 32 characters/);
  });
});

describe('TICKR_WIRE', () => {
  it('is clone unless set to msgpack, and a typo is refused rather than read as clone', () => {
    expect(readConfig({}).wire).toBe('clone');
    expect(readConfig({ TICKR_WIRE: 'msgpack' }).wire).toBe('msgpack');
    expect(refusal({ TICKR_WIRE: 'msgpak' })).toMatch(/TICKR_WIRE must be clone or msgpack, got "msgpak"/);
  });
});
