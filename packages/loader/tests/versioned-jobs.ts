// A table of two integer columns, keyed by `id` and versioned by `v`, and the load job of one of its
// files: what the tests of ranked staging (DuckDB's positions, PostgreSQL's kept rows) load.
import { join } from 'node:path';
import type { Column } from '../src/schema/parquet.js';
import type { LoadJob } from '../src/warehouse/dialect.js';

export const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 32, signed: true }, nullable: true },
  { name: 'v', type: { kind: 'int', bits: 32, signed: true }, nullable: true },
];
export const settings = { keys: ['id'], version: 'v', contract: 'evolve' as const };

/** The job of `<root>/<name>.parquet` into table `t`; `rows` as its footer would declare them. */
export function versionedJob(root: string, name: string, rows?: number): LoadJob {
  const path = join(root, `${name}.parquet`);
  return {
    table: 't',
    settings,
    columns,
    object: { bucket: root, key: `${name}.parquet`, size: 1, etag: name, eventTime: '2025-11-13T00:00:00Z' },
    path,
    objectUri: `file://${path}`,
    identity: name,
    ...(rows === undefined ? {} : { rows }),
  };
}
