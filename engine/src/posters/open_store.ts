import type { PosterStoreConfig } from '../config.ts';
import { localPosterStore } from './local_store.ts';
import { s3PosterStore } from './s3_store.ts';
import type { PosterStore } from './store.ts';

/** The store the configuration names (TICKR_POSTER_S3_BUCKET, else the data folder). */
export function openPosterStore(config: PosterStoreConfig): PosterStore {
  return config.kind === 's3' ? s3PosterStore(config) : localPosterStore(config.dir);
}
