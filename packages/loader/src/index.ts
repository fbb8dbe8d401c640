export { ConfigError, type LoaderConfig, parseLoaderConfig, readLoaderConfig } from './config.js';
export {
  EventShapeError,
  LakeloadError,
  LoaderError,
  ParquetFormatError,
  PostgresError,
  TerminalError,
  TransientError,
} from './errors.js';
export { localObject, localObjectAt } from './events/local.js';
export { type LocalFile, localObjects, SymlinkError } from './events/local-tree.js';
export { decodeS3Key, parseEvent } from './events/parse.js';
export type { EventItem, ObjectRef } from './events/types.js';
export { ledgerTables, type PendingLetter } from './ledger/ledger.js';
export { type Bucket, LedgerReads, type Window } from './ledger/ledger-reads.js';
export {
  DEFAULT_TABLES,
  Loader,
  type LoaderOptions,
  type LoadObjectsOptions,
  type ObjectResult,
  objectUri,
} from './load.js';
export type { Logger } from './logger.js';
export {
  ConsoleNotifier,
  eventOf,
  JsonlFileNotifier,
  type LoadEvent,
  messageFor,
  type Notifier,
  WebhookNotifier,
  type WebhookOptions,
} from './notify/notifier.js';
export { type Batchable, compareSequencers, oldestFirst, planBatches } from './plan/batch.js';
export { type Listing, localListing } from './reconcile/listing.js';
export {
  type BackfillOptions,
  type BackfillSummary,
  backfill,
  compareWithLedger,
  type FailedObject,
  hasDrift,
  type LedgerState,
  type NotLoaded,
  type ReconcileOptions,
  type ReconcileReport,
  readLedgerState,
  reconcile,
} from './reconcile/reconcile.js';
export { forOutput, redact, registerSecret, registerSecretsOf } from './redact.js';
export {
  COLUMNS as REPORT_COLUMNS,
  REPORT_NAMES,
  type ReportName,
  type ReportOptions,
  ReportOptionsError,
  type ReportResult,
  reportName,
  reportSql,
  runReport,
} from './reports/reports.js';
export { ReservedTableError, type Route, RoutingError, type RoutingRule, route } from './routing/route.js';
export { foldName, refusedTarget } from './routing/target-guard.js';
export { type Contract, type Evolution, evolve, SchemaDriftError } from './schema/evolve.js';
export {
  type ByteSource,
  type Column,
  type ColumnType,
  fileSource,
  type ParquetSchema,
  readParquetSchema,
  type TimeUnit,
} from './schema/parquet.js';
export { localStore } from './sources/local-store.js';
export type { ObjectStore } from './sources/store.js';
export type {
  Capabilities,
  Driver,
  LoadJob,
  LoadOutcome,
  TableSettings,
  WarehouseDialect,
  WarehouseUrl,
} from './warehouse/dialect.js';
export {
  DEFAULT_WAREHOUSE,
  openWarehouse,
  parseWarehouseUrl,
  redactUrl,
  type WarehouseTarget,
} from './warehouse/registry.js';
export {
  DEAD_LETTER_TABLE,
  type DeadLetter,
  LEDGER_TABLE,
  type LedgerEntry,
  LedgerSql,
  SqlCompiler,
  type SqlQuoting,
  UnsupportedTypeError,
} from './warehouse/sql-compiler.js';
export { type WatchOptions, watchFolder } from './watch.js';
