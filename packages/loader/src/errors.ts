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
