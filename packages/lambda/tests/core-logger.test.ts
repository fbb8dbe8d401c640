// What the core logs goes through the function's Powertools logger: one JSON line on stdout with
// the invocation's request id, through the one redaction, and nothing on stderr.
import { objectUri } from '@lakeload/loader';
import { describe, expect, it, vi } from 'vitest';
import { createHandler } from '../src/handler.js';
import { capturingStdout, fixture, GOOD_ENV, lambdaContext } from './helpers.js';

describe("the core's logger in the Lambda", () => {
  it('is the Powertools logger of the invocation: request id kept, secrets redacted', async () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    const handler = createHandler({
      env: { ...GOOD_ENV, LAKELOAD_WAREHOUSE_URL: 'postgres://loader:Pl4ntedPassw0rd@db:5432/x' },
      connect: async (_config, invocation) => ({
        loadObjects: async (refs) => {
          invocation.logger.warn('a notifier failed: postgres://loader:Pl4ntedPassw0rd@db refused', {
            files: refs.length,
          });
          return refs.map((ref) => ({
            uri: objectUri(ref),
            status: 'skipped' as const,
            reason: 'test',
            durationMs: 1,
          }));
        },
      }),
    });
    try {
      const { lines } = await capturingStdout(async () =>
        handler(await fixture('s3/base.json'), lambdaContext()),
      );
      const warning = lines.find((line) => String(line.message).startsWith('a notifier failed'));
      expect(warning).toMatchObject({
        level: 'WARN',
        message: 'a notifier failed: postgres://loader:***@db refused',
        files: 1,
        function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      });
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });
});
