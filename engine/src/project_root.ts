import { fileURLToPath } from 'node:url';

/**
 * The repository's root folder: where migrations/, storefront/ and .data/ are.
 * This file runs from engine/src/ (through tsx: development and tests) or from
 * dist/engine/src/ (the compiled build of `npm run build`, one level deeper),
 * and tells them apart by its own extension, as worker/pool.ts does.
 */
export const projectRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../' : '../../../', import.meta.url));
