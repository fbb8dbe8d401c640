import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The browser suites and the API suites each load demo data; one file at a time keeps the
    // shared two-core machine responsive.
    fileParallelism: false,
  },
});
