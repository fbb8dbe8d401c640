import { TerminalError } from '@lakeload/loader';

/** Base of the rehearsal's own errors: a local server could not start, or was used wrongly. */
export class RehearsalError extends TerminalError {
  override name = 'RehearsalError';
  static override readonly tip: string =
    'A local stand-in (S3, SNS, the Redshift Data API) could not start or was used wrongly: read the error, free the port or fix the call.';
}

/**
 * An error of an emulated AWS service (SNS, the Redshift Data API), answered as that service's
 * error response: its code, message and HTTP status, which the AWS SDK client parses into its own
 * ServiceException. Retryable as the SDK takes it: a 5xx is worth another attempt, a 4xx is the
 * request's fault.
 */
export abstract class EmulatedServiceError extends RehearsalError {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message, { retryable: status >= 500 });
  }
}

/**
 * Redshift SQL the local endpoint does not translate and PostgreSQL would misread: the statement
 * fails (status FAILED) with this message instead of running something else than Redshift would.
 */
export class UnsupportedSqlError extends RehearsalError {
  override name = 'UnsupportedSqlError';
}
