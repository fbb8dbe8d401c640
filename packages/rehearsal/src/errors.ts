import { TerminalError } from '@lakeload/loader';

/** Base of the rehearsal's own errors: a local server could not start, or was used wrongly. */
export class RehearsalError extends TerminalError {
  override name = 'RehearsalError';
  static override readonly tip: string =
    'A local stand-in (S3, SNS, the Redshift Data API) could not start or was used wrongly: read the error, free the port or fix the call.';
}

/**
 * Redshift SQL the local endpoint does not translate and PostgreSQL would misread: the statement
 * fails (status FAILED) with this message instead of running something else than Redshift would.
 */
export class UnsupportedSqlError extends RehearsalError {
  override name = 'UnsupportedSqlError';
}
