// The loader's errors in the one model: each class declares its tip, PostgreSQL failures are
// classified by SQLSTATE into transient and terminal PostgresErrors, and the object store's tip is
// the one it was raised with.
import { TerminalError, TransientError } from '@lakeload/errors';
import { describe, expect, it } from 'vitest';
import { LakeloadError, LoaderError, ParquetFormatError, PostgresError } from '../../src/errors.js';
import { RoutingError } from '../../src/routing/route.js';
import { SchemaDriftError } from '../../src/schema/evolve.js';
import { ObjectNotFoundError, ObjectStoreUnavailableError } from '../../src/sources/s3-client.js';
import { mapPostgresError } from '../../src/warehouse/postgres/postgres-driver.js';
import { UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';

describe('loader errors', () => {
  it('each cause declares its own tip; the base has the generic one', () => {
    const tips = [ParquetFormatError, SchemaDriftError, UnsupportedTypeError, RoutingError].map(
      (Kind) => new Kind('x').tip,
    );
    expect(new Set(tips).size).toBe(4);
    expect(new ParquetFormatError('x').tip).toMatch(/not readable Parquet/);
    expect(new SchemaDriftError('x').tip).toMatch(/Align the file's column types/);
    expect(new LoaderError('x').tip).toBe(LoaderError.tip);
    for (const tip of tips) expect(tip).not.toBe(LoaderError.tip);
  });

  it('the object store keeps the tip it was raised with; unavailability is transient by class', () => {
    const missing = new ObjectNotFoundError('s3://b/k', 'no such object', 'Check the key.');
    expect(missing).toMatchObject({ tip: 'Check the key.', retryable: false, uri: 's3://b/k' });
    expect(missing.message).toBe('s3://b/k: no such object. Check the key.');
    expect(new ObjectStoreUnavailableError('s3://b/k', '503', 'Retry later.').retryable).toBe(true);
  });

  it('PostgreSQL failures become PostgresErrors, transient or terminal by SQLSTATE', () => {
    const conflict = mapPostgresError(
      Object.assign(new Error('could not serialize'), { code: '40001' }),
      'load',
    );
    expect(conflict).toBeInstanceOf(PostgresError);
    expect(conflict).toMatchObject({ retryable: true, code: '40001' });
    expect(conflict.message).toBe('load: could not serialize (SQLSTATE 40001)');
    const nulls = mapPostgresError(Object.assign(new Error('null value'), { code: '23502' }), 'load');
    expect(nulls).toMatchObject({ retryable: false, code: '23502', tip: PostgresError.tip });
    const reset = mapPostgresError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'connect');
    expect(reset.retryable).toBe(true);
  });

  it('one root: the loader base, transient and terminal errors are all LakeloadErrors', () => {
    for (const error of [new LoaderError('x'), new TransientError('x'), new TerminalError('x')])
      expect(error).toBeInstanceOf(LakeloadError);
    expect(new TransientError('x').retryable).toBe(true);
  });
});
