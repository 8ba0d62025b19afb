import { defineConfig } from 'vitest/config';

/** Browser tests: Debian's Chromium driven by playwright-core against the whole bot (`npm run test:e2e`). */
export default defineConfig({
  test: {
    include: ['tests/e2e/browser/**/*.test.ts'],
    // One Chromium at a time: the machines have two cores.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
