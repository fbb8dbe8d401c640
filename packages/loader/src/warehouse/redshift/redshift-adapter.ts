import type { Capabilities } from '../dialect.js';

/** Limits and flags of Redshift beyond the capabilities every dialect has. */
export interface RedshiftLimits {
  /** The Data API's limits, which every dialect may have but Redshift always has. */
  maxStatements: number;
  maxStatementBytes: number;
  /**
   * Redshift commits DDL on its own terms (and TRUNCATE commits the transaction it runs in), and a
   * load whose snapshot predates a concurrent CREATE fails with 1018: schema changes run as their
   * own committed statements before the load.
   */
  supportsTransactionalDdl: boolean;
  /** Redshift's MERGE refuses a target row matched twice; the loader uses DELETE + INSERT instead. */
  supportsMerge: boolean;
}

/**
 * The start of the names of a load's temporary tables. They live for the batch's session only (every
 * Data API call is a session of its own), and the session's temporary schema is searched before
 * any other (https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html): no target table
 * may be named like them.
 */
export const TEMP_TABLE_PREFIX = '__lakeload_';

/**
 * Staging's column holding each row's file, its ordinal in the batch (oldest 0): COPY cannot say
 * which file a row came from, so each file is copied into a table of its own first.
 */
export const STAGED_FILE_COLUMN = `${TEMP_TABLE_PREFIX}file`;

/** The column that ranks the staged rows of one key while the newest is picked. */
export const STAGED_RANK_COLUMN = `${TEMP_TABLE_PREFIX}rank`;

/** Redshift through the Data API, as data for the shared load code. */
export const redshiftCapabilities: Capabilities & RedshiftLimits = {
  // `LOCK` at the start of the load transaction serializes writers of the table (it blocks readers
  // of that table too, for the length of one load).
  writerLock: 'table-lock',
  // COPY reads the objects from S3 itself: the loader never downloads them.
  copiesFromObjectStore: true,
  // Each file is COPYed into a temp table of its own (two statements: so that every staged row
  // carries its file), and a batch runs at most 40 statements, twelve of them the fixed steps of a
  // versioned upsert: 2 × 14 + 12 = 40.
  maxBatchFiles: 14,
  // A load is one BatchExecuteStatement: no reads between its statements.
  execution: 'one-batch',
  // COPY loads a large Parquet file's parts in parallel: staging has no row order.
  fileRowOrder: 'hidden',
  // BatchExecuteStatement takes 1–40 statements, run serially as one transaction:
  // https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html
  maxStatements: 40,
  // "The maximum query statement size is 100 KB" (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html),
  // budgeted as 100,000 bytes since the page does not say whether a KB is 1,000 or 1,024.
  maxStatementBytes: 100_000,
  supportsTransactionalDdl: false,
  supportsMerge: false,
  // Every name is folded to lower case, quoted or not, while enable_case_sensitive_identifier is
  // off (the default), and is at most 127 bytes: https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
  // COPY matches Parquet columns by position; staging adds each row's file and, ranking rows of a
  // key, their rank beside the file's columns.
  names: {
    foldsToLower: true,
    caseInsensitive: false,
    maxNameBytes: 127,
    reservedColumns: [STAGED_FILE_COLUMN, STAGED_RANK_COLUMN],
    reservedTablePrefix: TEMP_TABLE_PREFIX,
    // PostgreSQL's system columns, and `oid`, which Redshift's tables still have (its engine
    // descends from PostgreSQL 8.0): https://www.postgresql.org/docs/8.0/ddl-system-columns.html
    systemColumns: ['oid', 'tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid'],
    // 1,600 columns per table (https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_usage_notes.html);
    // staging adds each row's file.
    maxColumns: 1599,
  },
};
