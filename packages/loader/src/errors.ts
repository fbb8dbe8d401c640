import { LakeloadError, type LakeloadErrorOptions } from '@lakeload/errors';

export { LakeloadError, type LakeloadErrorOptions, TerminalError, TransientError } from '@lakeload/errors';

/**
 * Base of every error the loader throws: the one model's `retryable` (the same work may succeed
 * when tried again, a dropped connection) and `tip` (what to do next), terminal unless told.
 */
export class LoaderError extends LakeloadError {
  override name = 'LoaderError';
  static override readonly tip: string =
    'Read the error, fix the file or the table settings, then replay the dead letter.';
}

/** An event is not one of the shapes the loader understands; the message says which were expected. */
export class EventShapeError extends LoaderError {
  override name = 'EventShapeError';
  static override readonly tip: string =
    'Send S3 object-created notifications (direct, through SQS, SNS or EventBridge); other events are not loads.';
}

/** A Parquet file cannot be read: truncated, not Parquet at all, or using a type no target can hold. */
export class ParquetFormatError extends LoaderError {
  override name = 'ParquetFormatError';
  static override readonly tip: string =
    'The object is not readable Parquet: re-export it and upload it again.';
}

/**
 * A value of the file that its column cannot hold (a decimal of more digits than its precision, text
 * that is not UTF-8, a NUL the warehouse cannot store): the message names the file, column and row.
 */
export class ValueError extends LoaderError {
  override name = 'ValueError';
  static override readonly tip: string =
    'Fix the value named in the error in the file (or widen its column type there), upload it again, then replay.';
}

/**
 * A PostgreSQL failure, classified at the driver by its SQLSTATE: connection loss, serialization
 * failures and deadlocks are transient, everything else (a constraint, a type) terminal.
 */
export class PostgresError extends LoaderError {
  override name = 'PostgresError';
  /** The SQLSTATE code, where the server gave one. */
  readonly code: string | undefined;
  static override readonly tip: string =
    'Read the PostgreSQL error: a refused connection needs the URL or the server checked, a constraint or type error the table or the file fixed; then replay.';

  constructor(message: string, options: LakeloadErrorOptions & { code?: string | undefined } = {}) {
    const { code, ...rest } = options;
    super(message, rest);
    this.code = code;
  }
}
