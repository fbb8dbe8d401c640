import type { Capabilities } from '../dialect.js';

export const duckdbCapabilities: Capabilities = {
  // One process owns a DuckDB file: writers of a table queue in the driver, and optimistic
  // transaction conflicts that still occur are retried.
  writerLock: 'in-process',
  // DuckDB reads local files: a batch's files in one read_parquet scan, into one staging table.
  copiesFromObjectStore: false,
  maxBatchFiles: 100,
  // It reads the files itself: staging keeps positions, and the insert reads the kept rows again.
  staging: 'positions',
};
