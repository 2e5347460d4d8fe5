import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/src/**/*.test.ts', 'edge/src/**/*.test.ts', 'node/src/**/*.test.ts', 'bench/src/**/*.test.ts', 'test/**/*.test.ts', 'storefront/*.test.ts', 'storefront/src/**/*.test.ts', 'storefront/e2e/**/*.test.ts'],
    globalSetup: ['test/global_setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
