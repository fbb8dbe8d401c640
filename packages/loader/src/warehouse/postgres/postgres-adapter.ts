import type { Capabilities } from '../dialect.js';
import { READER_COLUMNS } from '../sql-compiler.js';

export const postgresCapabilities: Capabilities = {
  // LOCK TABLE in the load transaction serializes writers of a table across processes.
  writerLock: 'table-lock',
  // The in-process Parquet reader streams a batch's local files through one COPY FROM STDIN.
  copiesFromObjectStore: false,
  maxBatchFiles: 100,
  // The reader ranks a keyed batch by its keys and version first and sends only the newest row
  // per key: PostgreSQL never writes, dedupes and deletes the losers.
  staging: 'kept-rows',
  // Statements run one by one in the driver's transaction, results read in between.
  execution: 'interactive',
  // The in-process reader ranks rows as it reads them, in file order: the last row of a tie wins.
  fileRowOrder: 'visible',
  // Quoted names keep their case; names are cut to NAMEDATALEN - 1 = 63 bytes:
  // https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
  names: {
    foldsToLower: false,
    caseInsensitive: false,
    maxNameBytes: 63,
    // DuckDB's Parquet reader adds each row's position and file path as columns of these names.
    reservedColumns: READER_COLUMNS,
    // https://www.postgresql.org/docs/current/ddl-system-columns.html
    systemColumns: ['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid'],
    // 1,600 columns per table (https://www.postgresql.org/docs/current/limits.html); staging adds
    // each row's file and position.
    maxColumns: 1598,
  },
  // jsonb refuses the escape \u0000: https://www.postgresql.org/docs/current/datatype-json.html
  values: { jsonRefusesNulEscape: true },
};
