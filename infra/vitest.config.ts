import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // `cdktf synth` starts the CLI and the app in child processes: slow on a shared 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    server: {
      deps: {
        // It imports its JSON schema without `with { type: 'json' }`, which Node's ESM loader refuses;
        // inlined, Vite loads the JSON itself.
        inline: ['@actions/workflow-parser'],
      },
    },
  },
});
