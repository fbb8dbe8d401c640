// The function's logs go through the one redaction: a password in the warehouse URL and a token in
// an error never reach CloudWatch, whatever part of a log line carries them.
import { objectUri } from '@lakeload/loader';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../src/handler.js';
import { capturingStdout, fixture, GOOD_ENV, lambdaContext } from './helpers.js';

const PASSWORD = 'Pl4ntedPassw0rd';
const TOKEN = 'Pl4ntedT0ken';

describe('Lambda logs', () => {
  it('hold no planted password or token, in messages, fields or errors', async () => {
    const handler = createHandler({
      // A warehouse URL with a password: registered as a secret at cold start.
      env: { ...GOOD_ENV, LAKELOAD_WAREHOUSE_URL: `postgres://loader:${PASSWORD}@db:5432/x` },
      connect: async () => ({
        loadObjects: async (refs) =>
          refs.map((ref) => ({
            uri: objectUri(ref),
            status: 'failed' as const,
            error: `could not reach db (password ${PASSWORD}); webhook https://hooks.slack.com/services/T0/B0/${TOKEN} said 401`,
            retryable: false,
            tip: `check postgres://loader:${PASSWORD}@db`,
            durationMs: 1,
          })),
      }),
    });
    const { lines } = await capturingStdout(async () =>
      handler(await fixture('s3/base.json'), lambdaContext()),
    );
    const failed = lines.find((line) => line.message === 'load failed');
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('(password ***)') });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
  });
});
