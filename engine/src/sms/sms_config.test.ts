import { describe, expect, it } from 'vitest';
import { readConfig } from '../config.ts';
import { smsStartupLine } from './notify.ts';

const production = { NODE_ENV: 'production', TICKR_TOKEN_SECRET: 'p'.repeat(40), TICKR_TICKET_KEY_SECRET: 'k'.repeat(40) };

describe('SMS settings', () => {
  it('offer SMS in development (dev outbox) and with SNS, not in production without SNS', () => {
    expect(readConfig({}).smsAvailable).toBe(true);
    expect(readConfig(production).smsAvailable).toBe(false);
    expect(readConfig({ ...production, TICKR_SNS_REGION: 'eu-west-1' })).toMatchObject({ smsAvailable: true, snsRegion: 'eu-west-1', snsEndpoint: null, smsSenderId: null });
  });

  it('refuse a bad region, endpoint or sender id, and an endpoint or sender id without a region, saying what to set', () => {
    expect(() => readConfig({ TICKR_SNS_REGION: 'Ireland' })).toThrow(/TICKR_SNS_REGION must be an AWS region such as eu-west-1/);
    expect(() => readConfig({ TICKR_SNS_REGION: 'eu-west-1', TICKR_SNS_ENDPOINT: 'localstack:4566' })).toThrow(/TICKR_SNS_ENDPOINT must be an http\(s\) URL/);
    expect(() => readConfig({ TICKR_SNS_REGION: 'eu-west-1', TICKR_SMS_SENDER_ID: 'Tickr Tunisia' })).toThrow(/TICKR_SMS_SENDER_ID must be 1 to 11 letters and digits/);
    expect(() => readConfig({ TICKR_SNS_REGION: 'eu-west-1', TICKR_SMS_SENDER_ID: '12345' })).toThrow(/at least one letter/);
    expect(() => readConfig({ TICKR_SNS_ENDPOINT: 'http://localhost:4566' })).toThrow(/need TICKR_SNS_REGION/);
  });

  it('say at start-up where texts go, and warn when production offers none', () => {
    expect(smsStartupLine(readConfig({}))).toEqual({ level: 'info', message: expect.stringMatching(/dev SMS outbox/) });
    expect(smsStartupLine(readConfig({ TICKR_SNS_REGION: 'eu-west-1', TICKR_SNS_ENDPOINT: 'http://localhost:4566' })).message).toBe('SMS through Amazon SNS in eu-west-1 at http://localhost:4566');
    expect(smsStartupLine(readConfig(production))).toEqual({ level: 'warn', message: expect.stringMatching(/SMS are off: TICKR_SNS_REGION is not set/) });
  });
});
