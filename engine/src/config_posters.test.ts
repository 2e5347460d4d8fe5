import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

function refusal(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('readConfig accepted it');
}

describe('the poster store settings (TICKR_POSTER_S3_*)', () => {
  it('keeps posters in the data folder unless a bucket is set', () => {
    expect(readConfig({ TICKR_DATA_DIR: '/srv/tickr' }).posterStore).toEqual({ kind: 'local', dir: '/srv/tickr/posters' });
  });

  it('uses S3 with a bucket: AWS by default (virtual-hosted), or an endpoint such as LocalStack (path-style by default)', () => {
    expect(readConfig({ TICKR_POSTER_S3_BUCKET: 'tickr-posters', TICKR_POSTER_S3_REGION: 'eu-west-3' }).posterStore)
      .toEqual({ kind: 's3', bucket: 'tickr-posters', region: 'eu-west-3', endpoint: null, pathStyle: false });
    expect(readConfig({ TICKR_POSTER_S3_BUCKET: 'tickr-posters', TICKR_POSTER_S3_ENDPOINT: 'http://localstack:4566' }).posterStore)
      .toEqual({ kind: 's3', bucket: 'tickr-posters', region: 'us-east-1', endpoint: 'http://localstack:4566', pathStyle: true });
    expect(readConfig({ TICKR_POSTER_S3_BUCKET: 'tickr-posters', TICKR_POSTER_S3_ENDPOINT: 'https://s3.example.test', TICKR_POSTER_S3_PATH_STYLE: '0' }).posterStore)
      .toMatchObject({ pathStyle: false });
  });

  it('refuses half a setting and malformed values, saying what to fix', () => {
    expect(refusal({ TICKR_POSTER_S3_ENDPOINT: 'http://localstack:4566' })).toMatch(/TICKR_POSTER_S3_ENDPOINT is set but TICKR_POSTER_S3_BUCKET is not/);
    expect(refusal({ TICKR_POSTER_S3_BUCKET: 'Tickr_Posters' })).toMatch(/TICKR_POSTER_S3_BUCKET must be an S3 bucket name/);
    expect(refusal({ TICKR_POSTER_S3_BUCKET: 'tickr-posters', TICKR_POSTER_S3_ENDPOINT: 'localstack:4566' })).toMatch(/TICKR_POSTER_S3_ENDPOINT must be/);
    expect(refusal({ TICKR_POSTER_S3_BUCKET: 'tickr-posters', TICKR_POSTER_S3_REGION: 'EU West' })).toMatch(/TICKR_POSTER_S3_REGION must be an AWS region/);
  });
});
