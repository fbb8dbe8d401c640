// The dashboard's read queries over the ledger and the dead letters: pure functions of their
// parameters, every name and value quoted through the warehouse compiler's one quoting function.
// The SQL is the plain subset DuckDB, PostgreSQL and Redshift share (CASE, extract(epoch …),
// percentile_cont … WITHIN GROUP, row_number() OVER); a dialect that needs other text would
// subclass this and override one method, never branch on its name.
import { DEAD_LETTER_TABLE, LEDGER_TABLE, type SqlQuoting } from '@lakeload/loader';
import { DashboardError } from './errors.js';

/** Bucket widths the charts offer, in seconds. */
export const BUCKETS = { minute: 60, hour: 3600, day: 86400 } as const;
export type Bucket = keyof typeof BUCKETS;

/** A time window and an optional table filter, already validated. */
export interface Window {
  /** How far back, in seconds. */
  seconds: number;
  table?: string;
}

function wholeSeconds(value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new DashboardError(`a window must be whole seconds, got ${value}`);
  return value;
}

export class DashboardSql {
  constructor(protected readonly q: SqlQuoting) {}

  protected get ledger(): string {
    return this.q.quoteIdentifier(LEDGER_TABLE);
  }

  protected get deadLetters(): string {
    return this.q.quoteIdentifier(DEAD_LETTER_TABLE);
  }

  /** Seconds since 1970 of a timestamp expression, as a number. */
  protected epoch(expression: string): string {
    return `extract(epoch FROM ${expression})`;
  }

  /** Rows recorded within the last `seconds`, measured by the warehouse's own clock. */
  protected since(column: string, seconds: number): string {
    return `${column} >= CURRENT_TIMESTAMP - INTERVAL ${this.q.quoteLiteral(`${wholeSeconds(seconds)} seconds`)}`;
  }

  protected status(value: 'loaded' | 'failed'): string {
    return `status = ${this.q.quoteLiteral(value)}`;
  }

  protected tableFilter(window: Window): string {
    return window.table === undefined ? '' : ` AND target_table = ${this.q.quoteLiteral(window.table)}`;
  }

  /** The warehouse clock, so that ages are measured against the clock that stamped the rows. */
  now(): string {
    return `SELECT ${this.epoch('CURRENT_TIMESTAMP')} AS now_epoch`;
  }

  /** Per ledger status: files and rows, over all time and within the window. */
  overview(seconds: number): string {
    const recent = this.since('recorded_at', seconds);
    return `SELECT status, count(*) AS files, sum(CASE WHEN ${recent} THEN 1 ELSE 0 END) AS recent_files, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated, sum(CASE WHEN ${recent} THEN rows_inserted ELSE 0 END) AS recent_inserted, sum(CASE WHEN ${recent} THEN rows_updated ELSE 0 END) AS recent_updated FROM ${this.ledger} GROUP BY status ORDER BY status`;
  }

  /** Dead letters: waiting for replay, and replayed within the window. */
  deadLetterCounts(seconds: number): string {
    return `SELECT sum(CASE WHEN replayed_at IS NULL THEN 1 ELSE 0 END) AS pending, sum(CASE WHEN replayed_at IS NOT NULL AND ${this.since('replayed_at', seconds)} THEN 1 ELSE 0 END) AS recent_replayed FROM ${this.deadLetters}`;
  }

  protected bucketOf(column: string, bucket: Bucket): string {
    const width = BUCKETS[bucket];
    return `floor(${this.epoch(column)} / ${width}) * ${width}`;
  }

  /** Per time bucket and table: files loaded and failed, rows inserted and updated. */
  activity(window: Window, bucket: Bucket): string {
    return `SELECT ${this.bucketOf('recorded_at', bucket)} AS bucket, target_table, sum(CASE WHEN ${this.status('loaded')} THEN 1 ELSE 0 END) AS loaded, sum(CASE WHEN ${this.status('failed')} THEN 1 ELSE 0 END) AS failed, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM ${this.ledger} WHERE ${this.since('recorded_at', window.seconds)}${this.tableFilter(window)} GROUP BY 1, 2 ORDER BY 1, 2`;
  }

  /**
   * Per time bucket: the median and 95th percentile of load durations (each file's batch duration).
   * Both percentiles order by the same expression, which Redshift requires of sort-based aggregates.
   */
  latency(window: Window, bucket: Bucket): string {
    const ms = 'CAST(duration_ms AS DOUBLE PRECISION)';
    return `SELECT ${this.bucketOf('recorded_at', bucket)} AS bucket, count(*) AS files, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ms}) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ${ms}) AS p95, max(duration_ms) AS max_ms FROM ${this.ledger} WHERE ${this.status('loaded')} AND ${this.since('recorded_at', window.seconds)}${this.tableFilter(window)} GROUP BY 1 ORDER BY 1`;
  }

  /** Per target table: the last successful load and failure, files and rows over all time. */
  freshness(): string {
    const loaded = this.status('loaded');
    const failed = this.status('failed');
    return `SELECT target_table, max(CASE WHEN ${loaded} THEN ${this.epoch('recorded_at')} END) AS last_loaded, max(CASE WHEN ${failed} THEN ${this.epoch('recorded_at')} END) AS last_failed, sum(CASE WHEN ${loaded} THEN 1 ELSE 0 END) AS loaded, sum(CASE WHEN ${failed} THEN 1 ELSE 0 END) AS failed, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM ${this.ledger} GROUP BY target_table ORDER BY target_table`;
  }

  /** The rows a target table holds now. */
  tableRows(table: string): string {
    return `SELECT count(*) AS table_rows FROM ${this.q.quoteIdentifier(table)}`;
  }

  /** Failures grouped by reason (the tip, one per error class), newest group first. */
  failureGroups(): string {
    return `SELECT tip, count(*) AS failures, sum(CASE WHEN replayed_at IS NULL THEN 1 ELSE 0 END) AS pending, max(${this.epoch('failed_at')}) AS last_failed FROM ${this.deadLetters} GROUP BY tip ORDER BY last_failed DESC, tip`;
  }

  /** The latest `perGroup` failures of each reason. */
  failureExamples(perGroup: number): string {
    if (!Number.isInteger(perGroup) || perGroup < 1)
      throw new DashboardError(`examples per group must be a whole number, got ${perGroup}`);
    return `SELECT tip, object_uri, object_identity, target_table, error, ${this.epoch('failed_at')} AS failed_at, CASE WHEN replayed_at IS NULL THEN 1 ELSE 0 END AS pending FROM (SELECT tip, object_uri, object_identity, target_table, error, failed_at, replayed_at, row_number() OVER (PARTITION BY tip ORDER BY failed_at DESC, object_uri) AS example FROM ${this.deadLetters}) AS ranked WHERE example <= ${perGroup} ORDER BY tip, failed_at DESC, object_uri`;
  }

  /** Dead letters waiting for a replay, newest first. */
  pendingDeadLetters(limit: number): string {
    if (!Number.isInteger(limit) || limit < 1)
      throw new DashboardError(`a limit must be a whole number, got ${limit}`);
    return `SELECT object_uri, object_identity, target_table, error, tip, ${this.epoch('failed_at')} AS failed_at FROM ${this.deadLetters} WHERE replayed_at IS NULL ORDER BY failed_at DESC, object_uri LIMIT ${limit}`;
  }

  /** Whether one dead letter is still waiting: the replay endpoint acts only on those. */
  isPending(objectUri: string, identity: string): string {
    return `SELECT count(*) AS waiting FROM ${this.deadLetters} WHERE object_uri = ${this.q.quoteLiteral(objectUri)} AND object_identity = ${this.q.quoteLiteral(identity)} AND replayed_at IS NULL`;
  }
}
