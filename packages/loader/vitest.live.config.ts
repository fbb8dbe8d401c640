// The opt-in suite against a real Redshift Serverless workgroup and S3 bucket:
// `pnpm exec vitest run --config vitest.live.config.ts` with the LAKELOAD_LIVE_* variables set (see
// the README). The default `pnpm test` never includes it; run without the variables, it fails and
// says which are missing instead of passing.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/live/**/*.live.ts'],
    // COPY and Serverless cold starts take minutes, not seconds.
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
