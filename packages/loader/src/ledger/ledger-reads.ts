// Every read of the ledger and the dead letters, as pure SQL: the status command's, the dashboard's
// and reconcile's. Their column names live here and in ledger-sql.ts only; every name and value goes
// through the compiler's one quoting function. The text is the plain subset DuckDB, PostgreSQL and
// Redshift share (CASE, extract(epoch …), percentile_cont … WITHIN GROUP, row_number() OVER,
// substring). It names no current-time function: Redshift runs CURRENT_TIMESTAMP only on its leader
// node and refuses it in a query over tables, so a window starts at a timestamp literal computed by
// the caller. A dialect that needs other text subclasses this and overrides one method.
import { LoaderError } from '../errors.js';
import type { SqlQuoting } from '../warehouse/sql-compiler.js';
import { DEAD_LETTER_TABLE, LEDGER_TABLE } from './ledger-sql.js';

/** Bucket widths the charts offer, in seconds. */
const BUCKETS = { minute: 60, hour: 3600, day: 86400 } as const;
export type Bucket = keyof typeof BUCKETS;

/** A time window and an optional table filter, already validated. */
export interface Window {
  /** Where the window starts: whole seconds since 1970 (UTC). */
  since: number;
  table?: string;
}

function wholeNumber(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new LoaderError(`${what} must be a whole number, got ${value}`);
  return value;
}

/** `2026-12-01 19:45:00+00`: a timestamp with its zone, read alike by the three dialects. */
function utcText(epoch: number): string {
  return `${new Date(wholeNumber(epoch, 'a window start') * 1000).toISOString().slice(0, 19).replace('T', ' ')}+00`;
}

export class LedgerReads {
  constructor(protected readonly q: SqlQuoting) {}

  protected get ledger(): string {
    return this.q.quoteTable(LEDGER_TABLE);
  }

  protected get deadLetters(): string {
    return this.q.quoteTable(DEAD_LETTER_TABLE);
  }

  /** Seconds since 1970 of a timestamp expression, as a number. */
  protected epoch(expression: string): string {
    return `extract(epoch FROM ${expression})`;
  }

  /** A point in time as a literal: an instant, whatever the session's time zone. */
  protected timestamp(epoch: number): string {
    return `CAST(${this.q.quoteLiteral(utcText(epoch))} AS TIMESTAMP WITH TIME ZONE)`;
  }

  /** Rows stamped at or after `since` (seconds since 1970). */
  protected since(column: string, since: number): string {
    return `${column} >= ${this.timestamp(since)}`;
  }

  protected status(value: 'loaded' | 'failed'): string {
    return `status = ${this.q.quoteLiteral(value)}`;
  }

  protected tableFilter(window: Window): string {
    return window.table === undefined ? '' : ` AND target_table = ${this.q.quoteLiteral(window.table)}`;
  }

  /** Objects whose URI starts with `uriPrefix`, by code points as the databases count characters. */
  protected underPrefix(uriPrefix: string): string {
    if (uriPrefix.length === 0) throw new LoaderError('a reconcile prefix cannot be empty');
    // substring(s, start, length) exists on all three, where LIKE would need each dialect's
    // escaping of % and _ in the prefix.
    return `substring(object_uri, 1, ${[...uriPrefix].length}) = ${this.q.quoteLiteral(uriPrefix)}`;
  }

  // The status command.

  /** The latest `limit` loaded objects, newest first. */
  recentLoads(limit: number): string {
    wholeNumber(limit, 'a limit');
    return `SELECT CAST(recorded_at AS VARCHAR) AS at, target_table AS "table", CAST(rows_inserted AS VARCHAR) AS inserted, CAST(rows_updated AS VARCHAR) AS updated, object_uri AS object FROM ${this.ledger} WHERE ${this.status('loaded')} ORDER BY recorded_at DESC LIMIT ${limit}`;
  }

  /** Per target table: files and rows loaded, and the last load. */
  loadedTables(): string {
    return `SELECT target_table AS "table", count(*) AS files, CAST(sum(rows_inserted) AS VARCHAR) AS inserted, CAST(sum(rows_updated) AS VARCHAR) AS updated, CAST(max(recorded_at) AS VARCHAR) AS last_load FROM ${this.ledger} WHERE ${this.status('loaded')} GROUP BY target_table ORDER BY target_table`;
  }

  /** The latest `limit` failed loads, newest first. */
  recentFailures(limit: number): string {
    wholeNumber(limit, 'a limit');
    return `SELECT CAST(recorded_at AS VARCHAR) AS at, object_uri AS object, error FROM ${this.ledger} WHERE ${this.status('failed')} ORDER BY recorded_at DESC LIMIT ${limit}`;
  }

  /** Every dead letter waiting for a replay, newest first. */
  waitingDeadLetters(): string {
    return `SELECT object_uri AS object, error, tip FROM ${this.deadLetters} WHERE replayed_at IS NULL ORDER BY failed_at DESC, object_uri`;
  }

  /** The rows a target table holds now. */
  tableRows(table: string): string {
    return `SELECT count(*) AS table_rows FROM ${this.q.quoteTable(table)}`;
  }

  // Reconcile.

  /** Each object URI under `uriPrefix` with each identity (ETag or version id) it was loaded as. */
  loadedUnder(uriPrefix: string): string {
    return `SELECT DISTINCT object_uri, object_identity FROM ${this.ledger} WHERE ${this.status('loaded')} AND ${this.underPrefix(uriPrefix)}`;
  }

  /** The failed loads under `uriPrefix`, oldest first (so that the last one read is the latest). */
  failuresUnder(uriPrefix: string): string {
    return `SELECT object_uri, object_identity, error FROM ${this.ledger} WHERE ${this.status('failed')} AND ${this.underPrefix(uriPrefix)} ORDER BY recorded_at, object_uri`;
  }

  // The dashboard.

  /** Per ledger status: files and rows, over all time and since `since`. */
  overview(since: number): string {
    const recent = this.since('recorded_at', since);
    return `SELECT status, count(*) AS files, sum(CASE WHEN ${recent} THEN 1 ELSE 0 END) AS recent_files, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated, sum(CASE WHEN ${recent} THEN rows_inserted ELSE 0 END) AS recent_inserted, sum(CASE WHEN ${recent} THEN rows_updated ELSE 0 END) AS recent_updated FROM ${this.ledger} GROUP BY status ORDER BY status`;
  }

  /** Dead letters: waiting for replay, and replayed since `since`. */
  deadLetterCounts(since: number): string {
    return `SELECT sum(CASE WHEN replayed_at IS NULL THEN 1 ELSE 0 END) AS pending, sum(CASE WHEN replayed_at IS NOT NULL AND ${this.since('replayed_at', since)} THEN 1 ELSE 0 END) AS recent_replayed FROM ${this.deadLetters}`;
  }

  protected bucketOf(column: string, bucket: Bucket): string {
    const width = BUCKETS[bucket];
    return `floor(${this.epoch(column)} / ${width}) * ${width}`;
  }

  /** Per time bucket and table: files loaded and failed, rows inserted and updated. */
  activity(window: Window, bucket: Bucket): string {
    return `SELECT ${this.bucketOf('recorded_at', bucket)} AS bucket, target_table, sum(CASE WHEN ${this.status('loaded')} THEN 1 ELSE 0 END) AS loaded, sum(CASE WHEN ${this.status('failed')} THEN 1 ELSE 0 END) AS failed, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM ${this.ledger} WHERE ${this.since('recorded_at', window.since)}${this.tableFilter(window)} GROUP BY 1, 2 ORDER BY 1, 2`;
  }

  /**
   * Per time bucket: the median and 95th percentile of load durations (each file's batch duration).
   * Both percentiles order by the same expression, which Redshift requires of sort-based aggregates.
   */
  latency(window: Window, bucket: Bucket): string {
    const ms = 'CAST(duration_ms AS DOUBLE PRECISION)';
    return `SELECT ${this.bucketOf('recorded_at', bucket)} AS bucket, count(*) AS files, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ms}) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ${ms}) AS p95, max(duration_ms) AS max_ms FROM ${this.ledger} WHERE ${this.status('loaded')} AND ${this.since('recorded_at', window.since)}${this.tableFilter(window)} GROUP BY 1 ORDER BY 1`;
  }

  /** Per target table: the last successful load and failure, files and rows over all time. */
  freshness(): string {
    const loaded = this.status('loaded');
    const failed = this.status('failed');
    return `SELECT target_table, max(CASE WHEN ${loaded} THEN ${this.epoch('recorded_at')} END) AS last_loaded, max(CASE WHEN ${failed} THEN ${this.epoch('recorded_at')} END) AS last_failed, sum(CASE WHEN ${loaded} THEN 1 ELSE 0 END) AS loaded, sum(CASE WHEN ${failed} THEN 1 ELSE 0 END) AS failed, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM ${this.ledger} GROUP BY target_table ORDER BY target_table`;
  }

  /** Failures grouped by reason (the tip, one per error class), newest group first. */
  failureGroups(): string {
    return `SELECT tip, count(*) AS failures, sum(CASE WHEN replayed_at IS NULL THEN 1 ELSE 0 END) AS pending, max(${this.epoch('failed_at')}) AS last_failed FROM ${this.deadLetters} GROUP BY tip ORDER BY last_failed DESC, tip`;
  }

  /** The latest `perGroup` failures of each reason. */
  failureExamples(perGroup: number): string {
    wholeNumber(perGroup, 'examples per group');
    return `SELECT tip, object_uri, object_identity, target_table, error, ${this.epoch('failed_at')} AS failed_at, CASE WHEN replayed_at IS NULL THEN 1 ELSE 0 END AS pending FROM (SELECT tip, object_uri, object_identity, target_table, error, failed_at, replayed_at, row_number() OVER (PARTITION BY tip ORDER BY failed_at DESC, object_uri) AS example FROM ${this.deadLetters}) AS ranked WHERE example <= ${perGroup} ORDER BY tip, failed_at DESC, object_uri`;
  }

  /** Dead letters waiting for a replay, newest first, with their error and tip. */
  pendingDeadLetters(limit: number): string {
    wholeNumber(limit, 'a limit');
    return `SELECT object_uri, object_identity, target_table, error, tip, ${this.epoch('failed_at')} AS failed_at FROM ${this.deadLetters} WHERE replayed_at IS NULL ORDER BY failed_at DESC, object_uri LIMIT ${limit}`;
  }
}
