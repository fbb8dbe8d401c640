import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    // Hooks start S3 servers, Data API endpoints and schemas: slow when the 2 cores are shared.
    hookTimeout: 60_000,
  },
});
