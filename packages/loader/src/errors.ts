/**
 * Base of every error the loader throws. `retryable` says whether the same work may succeed when
 * tried again (a dropped connection) or never will until something is fixed (a corrupt file).
 */
export class LoaderError extends Error {
  override name = 'LoaderError';
  readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options);
    this.retryable = options.retryable ?? false;
  }
}

/** An event is not one of the shapes the loader understands; the message says which were expected. */
export class EventShapeError extends LoaderError {
  override name = 'EventShapeError';
}

/** A Parquet file cannot be read: truncated, not Parquet at all, or using a type no target can hold. */
export class ParquetFormatError extends LoaderError {
  override name = 'ParquetFormatError';
}
