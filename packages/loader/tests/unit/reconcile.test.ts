// The reconcile stage's pure part: the comparison of a listing with the ledger (its SQL is in
// ledger-sql.test.ts with every other ledger statement).
import { describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { compareWithLedger, hasDrift, type LedgerState } from '../../src/reconcile/reconcile.js';

const ref = (key: string, etag: string, size = 100): ObjectRef => ({
  bucket: 'lake',
  key,
  size,
  etag,
  eventTime: '2025-11-13T00:00:00.000Z',
});

describe('compareWithLedger', () => {
  const state: LedgerState = {
    loaded: new Map([
      ['s3://lake/t/a.parquet', new Set(['e1'])],
      ['s3://lake/t/b.parquet', new Set(['old'])],
      ['s3://lake/t/gone.parquet', new Set(['g2', 'g1'])],
    ]),
    failures: new Map([['s3://lake/t/c.parquet', new Map([['e3', 'not Parquet']])]]),
  };

  it('puts every listed object in one class and finds loaded objects no longer listed', () => {
    const report = compareWithLedger(
      's3://lake/',
      [
        ref('t/a.parquet', 'e1'),
        ref('t/b.parquet', 'new'),
        ref('t/c.parquet', 'e3'),
        ref('t/d.parquet', 'e4'),
        ref('t/_SUCCESS', 'x', 0),
      ],
      state,
    );
    expect(report).toMatchObject({
      listed: 5,
      loaded: 1,
      skipped: [{ uri: 's3://lake/t/_SUCCESS', reason: 'marker file _SUCCESS' }],
      notLoaded: [
        { uri: 's3://lake/t/b.parquet', identity: 'new', reason: 'changed' },
        { uri: 's3://lake/t/d.parquet', identity: 'e4', reason: 'new' },
      ],
      failed: [{ uri: 's3://lake/t/c.parquet', identity: 'e3', error: 'not Parquet' }],
      gone: [{ uri: 's3://lake/t/gone.parquet', identities: ['g1', 'g2'] }],
    });
    expect(hasDrift(report)).toBe(true);
  });

  it('matches a version id before the ETag, and a re-upload after a failure is not failed', () => {
    const versioned = compareWithLedger(
      's3://lake/',
      [{ ...ref('t/a.parquet', 'other'), versionId: 'e1' }, ref('t/c.parquet', 'fixed')],
      { ...state, loaded: new Map([['s3://lake/t/a.parquet', new Set(['e1'])]]) },
    );
    expect(versioned.loaded).toBe(1);
    expect(versioned.failed).toEqual([]);
    expect(versioned.notLoaded).toMatchObject([{ uri: 's3://lake/t/c.parquet', reason: 'new' }]);
    const clean = compareWithLedger('s3://lake/', [ref('t/a.parquet', 'e1')], {
      loaded: new Map([['s3://lake/t/a.parquet', new Set(['e1'])]]),
      failures: new Map(),
    });
    expect(hasDrift(clean)).toBe(false);
  });
});
