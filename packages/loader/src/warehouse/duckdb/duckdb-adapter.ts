import type { Capabilities } from '../dialect.js';
import { READER_COLUMNS } from '../sql-compiler.js';

export const duckdbCapabilities: Capabilities = {
  // One process owns a DuckDB file: writers of a table queue in the driver, and optimistic
  // transaction conflicts that still occur are retried.
  writerLock: 'in-process',
  // DuckDB reads local files: a batch's files in one read_parquet scan, into one staging table.
  copiesFromObjectStore: false,
  maxBatchFiles: 100,
  // It reads the files itself: staging keeps positions, and the insert reads the kept rows again.
  staging: 'positions',
  // Statements run one by one in the driver's transaction, results read in between.
  execution: 'interactive',
  // read_parquet gives each row's position (file_row_number): ties in a file go to the last row.
  fileRowOrder: 'visible',
  // Identifiers are case-insensitive and have no length limit:
  // https://duckdb.org/docs/stable/sql/dialect/keywords_and_identifiers
  names: {
    foldsToLower: false,
    caseInsensitive: true,
    // DuckDB's Parquet reader adds each row's position and file path as columns of these names.
    reservedColumns: READER_COLUMNS,
  },
  // VARCHAR keeps a string's UTF-8 bytes with their length, NUL included (tests/integration/value-errors.test.ts).
  values: { textHoldsNul: true },
};
