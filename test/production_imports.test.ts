import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Production mode must not be able to use a test double: what the node
 * program reaches from its entry points (the build's files, tsconfig.build.json)
 * never includes the test kit (engine/src/testing/, edge/src/testing/), where
 * the doubles of Stripe, Clictopay, Konnect and S3 live.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const entries = ['node/src/cli.ts', 'engine/src/worker/shard_worker.ts', 'engine/src/worker/boot.mjs'];

/** Every relative module `file` imports, statically or with import(), resolved to a path under the project. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s)).filter((path) => existsSync(path));
}

function reachable(): Set<string> {
  const seen = new Set<string>();
  const todo = entries.map((e) => join(root, e));
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...importsOf(file));
  }
  return seen;
}

describe('production code', () => {
  it('never reaches the test kit or a test double from the node program', () => {
    const files = [...reachable()].map((f) => relative(root, f));
    // The walk found the program (a broken walk would pass vacuously).
    expect(files).toContain('engine/src/payments/stripe.ts');
    expect(files).toContain('edge/src/server.ts');
    expect(files.filter((f) => f.includes('/testing/') || f.endsWith('_double.ts') || f.endsWith('.test.ts'))).toEqual([]);
  });
});
