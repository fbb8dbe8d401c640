import type { Capabilities } from '../dialect.js';

/** Limits and flags of Redshift through the Data API, beyond the capabilities every dialect has. */
export interface RedshiftLimits {
  /** BatchExecuteStatement takes 1–40 statements, run serially as one transaction. */
  maxStatements: number;
  /**
   * Bytes of one statement of a Data API call: "The maximum query statement size is 100 KB"
   * (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html), budgeted as 100,000 bytes
   * since the page does not say whether a KB is 1,000 or 1,024.
   */
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
  maxStatements: 40,
  maxStatementBytes: 100_000,
  supportsTransactionalDdl: false,
  supportsMerge: false,
  // Every name is folded to lower case, quoted or not, while enable_case_sensitive_identifier is
  // off (the default), and is at most 127 bytes: https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
  // COPY matches Parquet columns by position; staging adds each row's file and, ranking rows of a
  // key, their rank beside the file's columns (redshift-sql-compiler.ts: FILE, RANK).
  names: {
    foldsToLower: true,
    caseInsensitive: false,
    maxNameBytes: 127,
    reservedColumns: ['__lakeload_file', '__lakeload_rank'],
    // PostgreSQL's system columns, and `oid`, which Redshift's tables still have (its engine
    // descends from PostgreSQL 8.0): https://www.postgresql.org/docs/8.0/ddl-system-columns.html
    systemColumns: ['oid', 'tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid'],
    // 1,600 columns per table (https://docs.aws.amazon.com/redshift/latest/dg/r_CTAS_usage_notes.html);
    // staging adds each row's file.
    maxColumns: 1599,
  },
};
