import type { ObjectRef } from '../events/types.js';
import type { NameRules } from '../schema/names.js';
import type { Column } from '../schema/parquet.js';
import type { ValueRules } from '../schema/values.js';
import type { SqlCompiler } from './sql-compiler.js';

/** What a dialect can do, as data: the shared load code asks these instead of checking dialect names. */
export interface Capabilities {
  /**
   * How concurrent writers of one table are kept apart: `table-lock` takes a lock inside the load
   * transaction (writers in any process queue); `in-process` queues them in the driver (one process
   * owns the database, as with a DuckDB file).
   */
  writerLock: 'in-process' | 'table-lock';
  /**
   * True when the warehouse reads `s3://` objects itself (Redshift's COPY); false when the loader
   * hands the driver a local file (DuckDB, PostgreSQL).
   */
  copiesFromObjectStore: boolean;
  /** Most files one load transaction takes; a batch of more is split. */
  maxBatchFiles: number;
  /**
   * What a batch's staging table holds. `rows` (the default): every staged row whole, as COPY
   * fills it; the insert reads staging. `positions`: only each row's keys, version, file and
   * position, the newest row per key marked as staging is filled; the insert reads the kept rows
   * again from the local files, for a warehouse that reads those itself (DuckDB), so that no row
   * is written twice. `kept-rows`: for keyed tables only the newest row per key, whole: the driver
   * ranks the rows before it stages them (PostgreSQL's in-process reader) and answers the census
   * itself, so that the losers never reach the warehouse; keyless tables stage every row.
   */
  staging?: 'rows' | 'positions' | 'kept-rows';
  /**
   * How a load's statements reach the warehouse; plan/merge-steps.ts asks it. `interactive`: one at
   * a time inside an open transaction, the loader reading results in between (the census, whether
   * rows are stored) and deciding what runs next. `one-batch`: all of them in one call, run serially
   * as one transaction with nothing read in between (the Data API's BatchExecuteStatement:
   * https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html).
   * What a read would decide there becomes SQL: a ledger check that guards every write, statements
   * that fail the transaction (null keys, row counts, ties), and a table of the per-file counts that
   * the ledger rows read.
   */
  execution: 'interactive' | 'one-batch';
  /**
   * Whether staging keeps each row's place in its file. `visible`: two rows of one key and version
   * in one file are told apart by position, the last one wins. `hidden`: they cannot be (Redshift's
   * COPY splits a Parquet file of 128 MB or more over slices that load in parallel:
   * https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-use-multiple-files.html), so the
   * merge refuses such ties instead of keeping one at random.
   */
  fileRowOrder: 'visible' | 'hidden';
  /** Most statements one call runs, where the warehouse limits it (`one-batch` execution). */
  maxStatements?: number;
  /** Longest statement in bytes the warehouse takes, where it limits it. */
  maxStatementBytes?: number;
  /** How the warehouse stores and compares table and column names. */
  names: NameRules;
  /**
   * Where its types differ from most warehouses' on single values (each flag defaults to false): a
   * file that failed to load is searched for the values it refuses, to name the column and row.
   */
  values?: Partial<ValueRules>;
}

/** Upsert settings of one target table. */
export interface TableSettings {
  /** Columns that identify a row; none means the table is append-only. */
  keys: readonly string[];
  /** A column whose larger value is newer (e.g. `updated_at`): older staged rows never replace newer ones. */
  version?: string;
  contract: 'evolve' | 'freeze';
}

export interface LoadJob {
  table: string;
  settings: TableSettings;
  /** The file's columns in file order. */
  columns: readonly Column[];
  /** The object the file came from: bucket, key, size, ETag, version id, sequencer, event time. */
  object: ObjectRef;
  /** Where the driver reads the file: a local file, or `s3://bucket/key` when the warehouse copies from S3. */
  path: string;
  objectUri: string;
  /** With objectUri, the ledger key: the version id, else the ETag. */
  identity: string;
  /** Rows the file's footer declares; a driver that stages the rows itself checks it got them all. */
  rows?: number;
}

export type LoadOutcome =
  | { status: 'loaded'; inserted: number; updated: number; unchanged: number }
  | { status: 'duplicate' };

/** One warehouse connection's operations; the only place that talks to the database client. */
export interface Driver {
  readonly compiler: SqlCompiler;
  readonly capabilities: Capabilities;
  /** The table's columns, or undefined when it does not exist. */
  tableColumns(table: string): Promise<Column[] | undefined>;
  /** Runs schema changes, each committed on its own before any load transaction starts. */
  runDdl(statements: readonly string[]): Promise<void>;
  /** Rows of a read-only query, values as JSON (big integers as strings): for status and reports. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Loads files of ONE table with IDENTICAL columns in one transaction, oldest first: stages them
   * together, dedupes across the batch, merges, and writes one ledger row per loaded file. One
   * outcome per job, in job order; a file in the ledger already is a `duplicate` and adds no rows.
   */
  load(jobs: readonly LoadJob[]): Promise<LoadOutcome[]>;
  close(): Promise<void>;
}

/**
 * How a dialect reads its URLs: the schemes it answers and how such a URL becomes its typed
 * target. A light module of its own (no driver, no database client), so that parsing a URL loads
 * none of them.
 */
export interface WarehouseUrl<Target extends { dialect: string }> {
  /** URL prefixes this dialect answers, e.g. `postgres://`. */
  readonly schemes: readonly string[];
  /** The URL forms it accepts, as the message of an unknown URL lists them. */
  readonly forms: string;
  /** The URL's target; a bad URL is refused with the forms, never repeating a password. */
  parseUrl(url: string): Target;
}

/** One warehouse dialect: its URLs, what it can do, and how it opens. */
export interface WarehouseDialect<Target extends { dialect: string }> extends WarehouseUrl<Target> {
  readonly capabilities: Capabilities;
  open(target: Target): Promise<Driver>;
}
