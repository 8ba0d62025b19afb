import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: generated bad input and fault injection, long-running by design.
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
