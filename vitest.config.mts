import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Browser and reliability suites have their own commands (test:e2e, test:reliability).
    exclude: ['tests/e2e/browser/**', 'tests/reliability/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
