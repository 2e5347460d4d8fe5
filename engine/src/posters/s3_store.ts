import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { assertKey, contentTypeOfKey, type PosterStore } from './store.ts';

export type S3PosterSettings = { bucket: string; region: string; endpoint: string | null; pathStyle: boolean; prefix?: string };

/**
 * Posters in an S3 bucket (or LocalStack, or any S3 look-alike through
 * `endpoint` with path-style addressing). Credentials come from the AWS SDK's
 * default chain (AWS_ACCESS_KEY_ID…, a profile, an instance role). Objects
 * carry their content type and an immutable Cache-Control, so a CDN put in
 * front of the bucket serves them as the edge does.
 */
export function s3PosterStore(settings: S3PosterSettings, client?: S3Client): PosterStore {
  const s3 = client ?? new S3Client({
    region: settings.region,
    ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.pathStyle,
  });
  const prefix = settings.prefix ?? 'posters/';
  const Bucket = settings.bucket;
  return {
    where: `s3://${Bucket}/${prefix}${settings.endpoint === null ? '' : ` at ${settings.endpoint}`}`,
    async put(key, bytes) {
      assertKey(key);
      await s3.send(new PutObjectCommand({
        Bucket, Key: prefix + key, Body: bytes, ContentType: contentTypeOfKey(key), CacheControl: 'public, max-age=31536000, immutable',
      }));
    },
    async get(key) {
      assertKey(key);
      try {
        const answer = await s3.send(new GetObjectCommand({ Bucket, Key: prefix + key }));
        if (answer.Body === undefined) return null;
        return Buffer.from(await answer.Body.transformToByteArray());
      } catch (error) {
        // Only a missing key is "no poster"; a missing bucket or a refusal is a fault to see.
        if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.name === 'NoSuchKey')) return null;
        throw error;
      }
    },
    async delete(key) {
      assertKey(key);
      // S3 answers 204 for a key that is not there too.
      await s3.send(new DeleteObjectCommand({ Bucket, Key: prefix + key }));
    },
  };
}
