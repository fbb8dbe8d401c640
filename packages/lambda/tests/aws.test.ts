// The production wiring's pure parts: the Redshift settings made from the environment, and the
// notifier filter for SQS redeliveries.
import type { LoadEvent, Notifier } from '@lakeload/loader';
import { describe, expect, it } from 'vitest';
import { onceAcrossRedeliveries, redshiftConfigFor } from '../src/aws.js';
import { LambdaConfigError, readLambdaConfig } from '../src/env.js';
import { GOOD_ENV } from './helpers.js';

const REDSHIFT = {
  ...GOOD_ENV,
  LAKELOAD_WAREHOUSE_URL:
    'redshift-data://workgroup/lakeload/analytics?copy-role-arn=arn:aws:iam::123456789012:role/old&region=eu-west-1',
  LAKELOAD_SAFETY_MARGIN_MS: '15000',
};

describe('redshiftConfigFor', () => {
  it("takes the URL's target and the contract's COPY role and manifest prefix; the deadline ends before the function does", () => {
    expect(redshiftConfigFor(readLambdaConfig(REDSHIFT), 300_000)).toEqual({
      target: { workgroup: 'lakeload' },
      database: 'analytics',
      region: 'eu-west-1',
      copyRoleArn: 'arn:aws:iam::123456789012:role/lakeload-copy',
      manifestPrefix: 's3://lake-bucket/_lakeload/manifests/',
      statementDeadlineMs: 285_000,
    });
  });

  it("keeps the core's 10-minute deadline for a longer function, and when no time is known", () => {
    const config = readLambdaConfig(REDSHIFT);
    expect(redshiftConfigFor(config, 900_000).statementDeadlineMs).toBe(600_000);
    expect(redshiftConfigFor(config, 0).statementDeadlineMs).toBe(600_000);
  });

  it('refuses a warehouse that is not Redshift', () => {
    expect(() => redshiftConfigFor(readLambdaConfig(GOOD_ENV), 60_000)).toThrow(LambdaConfigError);
  });
});

describe('onceAcrossRedeliveries', () => {
  it('drops arrivals and permanent failures of redelivered objects, passes everything else', async () => {
    const told: LoadEvent['type'][] = [];
    const inner: Notifier = { notify: async (event) => void told.push(event.type) };
    const notifier = onceAcrossRedeliveries(inner, { isRedelivery: (uri) => uri.endsWith('again.parquet') });
    const at = '2025-11-13T10:00:00.000Z';
    const again = 's3://b/t/again.parquet';
    const first = 's3://b/t/first.parquet';
    for (const uri of [again, first]) {
      await notifier.notify({ type: 'received', at, uri });
      await notifier.notify({ type: 'failed', at, uri, error: 'e', tip: 't', retryable: false });
      await notifier.notify({ type: 'failed', at, uri, error: 'e', tip: 't', retryable: true });
      await notifier.notify({
        type: 'loaded',
        at,
        uri,
        table: 't',
        inserted: 1,
        updated: 0,
        unchanged: 0,
        durationMs: 1,
      });
    }
    expect(told).toEqual(['failed', 'loaded', 'received', 'failed', 'failed', 'loaded']);
  });
});
