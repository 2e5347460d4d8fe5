#!/usr/bin/env node
// `tickr` on the PATH (npm workspaces link it), and `npm start` / `npm run migrate`.
// NODE_ENV=production runs the compiled build (`npm run build`: dist/), and refuses
// to start without it or when it is older than the sources, so a deploy never runs
// yesterday's code. Anything else runs the TypeScript sources through tsx.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const compiled = join(root, 'dist', 'node', 'src', 'cli.js');
/** What the compiled build is made from (tsconfig.build.json follows the imports from node/src/cli.ts). */
const sources = ['engine/src', 'edge/src', 'node/src', 'storefront/serve.ts', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

if (process.env.NODE_ENV === 'production') {
  const built = statSync(compiled, { throwIfNoEntry: false });
  const newest = Math.max(...sources.map((source) => newestMtime(join(root, source))));
  if (built === undefined || built.mtimeMs < newest) {
    process.stderr.write(`NODE_ENV=production runs the compiled build, and dist/ ${built === undefined ? 'has none' : 'is older than the sources'}: run \`npm run build\` first\n`);
    process.exit(1);
  }
  // Stack traces name the TypeScript lines (tsc writes the source maps beside the build).
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
