// Worker threads do not inherit `--import tsx` on Node 20, so a shard worker
// starts here: it registers the TypeScript loader when its entry is a .ts
// file, then imports the entry.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
