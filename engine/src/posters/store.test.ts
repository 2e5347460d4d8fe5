import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Double, type S3Double } from '../testing/s3_double.ts';
import { localPosterStore } from './local_store.ts';
import { s3PosterStore } from './s3_store.ts';
import { posterStoreContract } from './store.contract.ts';

let dir: string;
let double: S3Double;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickr-posters-'));
  double = await startS3Double();
});

afterAll(async () => {
  await double?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const s3 = () => s3PosterStore({ bucket: double.bucket, region: 'us-east-1', endpoint: double.url, pathStyle: true },
  new S3Client({ region: 'us-east-1', endpoint: double.url, forcePathStyle: true, credentials }));

posterStoreContract('local folder', () => localPosterStore(join(dir, 'posters')));
posterStoreContract('S3 (the local double, path-style)', s3);

describe('the S3 store as S3 sees it', () => {
  it('writes path-style under posters/, with the content type and an immutable Cache-Control', async () => {
    const key = `${'b'.repeat(64)}.webp`;
    await s3().put(key, Buffer.from('RIFF....WEBP'));
    expect(double.requests).toContain(`PUT /${double.bucket}/posters/${key}`);
    expect(double.objects.get(`posters/${key}`)).toMatchObject({ contentType: 'image/webp', cacheControl: 'public, max-age=31536000, immutable' });
  });

  it('fails loudly on a bucket that does not exist, rather than answering "no poster"', async () => {
    const wrong = s3PosterStore({ bucket: 'no-such-bucket', region: 'us-east-1', endpoint: double.url, pathStyle: true },
      new S3Client({ region: 'us-east-1', endpoint: double.url, forcePathStyle: true, credentials }));
    await expect(wrong.get(`${'c'.repeat(64)}.jpg`)).rejects.toThrow();
  });
});

describe('the local store', () => {
  it('leaves no temporary file behind', async () => {
    const store = localPosterStore(join(dir, 'tidy'));
    await store.put(`${'d'.repeat(64)}.jpg`, Buffer.from('jpeg bytes'));
    expect(await readdir(join(dir, 'tidy'))).toEqual([`${'d'.repeat(64)}.jpg`]);
  });
});
