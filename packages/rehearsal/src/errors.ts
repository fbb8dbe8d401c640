import { LoaderError } from '@lakeload/loader';

/** Base of the rehearsal's own errors: a local server could not start, or was used wrongly. */
export class RehearsalError extends LoaderError {
  override name = 'RehearsalError';
}

/**
 * Redshift SQL the local endpoint does not translate and PostgreSQL would misread: the statement
 * fails (status FAILED) with this message instead of running something else than Redshift would.
 */
export class UnsupportedSqlError extends RehearsalError {
  override name = 'UnsupportedSqlError';
}
