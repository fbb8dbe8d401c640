import type { Capabilities } from '../dialect.js';

/** Limits and flags of Redshift through the Data API, beyond the capabilities every dialect has. */
export interface RedshiftLimits {
  /** BatchExecuteStatement takes 1–40 statements, run serially as one transaction. */
  maxStatements: number;
  /** Each statement of a Data API call is at most 100 KB. */
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
  // Small Parquet files are not split across slices: one COPY over many files beats many COPYs. 32
  // keeps the ledger guard and the ledger insert of a batch far below 100 KB even with 1 KB keys.
  maxBatchFiles: 32,
  maxStatements: 40,
  maxStatementBytes: 100 * 1024,
  supportsTransactionalDdl: false,
  supportsMerge: false,
  // Every name is folded to lower case, quoted or not, while enable_case_sensitive_identifier is
  // off (the default), and is at most 127 bytes: https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
  // COPY matches Parquet columns by position, so no name is reserved.
  names: { foldsToLower: true, caseInsensitive: false, maxNameBytes: 127, reservedColumns: [] },
};
