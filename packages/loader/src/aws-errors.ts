// The one classification of AWS SDK failures (S3, the Redshift Data API), shared by every AWS client
// of the loader: each caller keeps only its own messages and error classes.
import { isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * What an AWS failure means for the work: `throttled` and `transient` (and `expired-credentials`)
 * may succeed when tried again; `credentials`, `denied`, `not-found` and `other` will not.
 */
export type AwsErrorKind =
  | 'throttled'
  | 'transient'
  | 'expired-credentials'
  | 'credentials'
  | 'denied'
  | 'not-found'
  | 'other';

// Services' own "try again" answers that the SDK's lists do not name: S3's 5xx codes (sent also in
// 200 responses of CompleteMultipartUpload), the Data API's limits on active statements and its
// statement-run failures (https://docs.aws.amazon.com/redshift-data/latest/APIReference/CommonErrors.html).
const TRANSIENT_NAMES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
  'ActiveWaitingRequestsExceededException',
  'DatabaseConnectionException',
  'BatchExecuteStatementException',
  'ExecuteStatementException',
]);
// Socket failures the SDK's Node lists leave out (undici's closed socket, an aborted connection).
const TRANSIENT_ERRNOS = new Set(['ECONNABORTED', 'UND_ERR_SOCKET']);
// Temporary credentials past their expiry: the default chain fetches fresh ones on the next call
// (a role's session, SSO, the Lambda's next invocation), so the work is retried, never dead-lettered.
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
// Credentials that no retry repairs: unknown keys, a bad signature, none found at all.
const CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'InvalidToken',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'KMS.AccessDeniedException',
  'AllAccessDisabled',
]);
const NOT_FOUND = new Set(['NoSuchBucket', 'NoSuchKey', 'NotFound', 'ResourceNotFoundException']);

interface SdkLike {
  name: string;
  message: string;
  code?: string;
  Code?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** The service's error code: S3 puts it in `Code` (HEAD errors have only the status), the rest in `name`. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { Code, name } = error as Partial<SdkLike>;
  return typeof Code === 'string' ? Code : typeof name === 'string' ? name : undefined;
}

/** The HTTP status of a service's answer, when there was one. */
export function awsHttpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as Partial<SdkLike>).$metadata?.httpStatusCode;
}

/**
 * Classifies a failed AWS call. The SDK's own rules come first (`$retryable`, 429 and the throttling
 * codes, 500–504, timeouts and Node's network error codes: @smithy/core/retry), then the services'
 * codes and the status: 5xx retryable, 401/403 denied, 404 not found.
 */
export function classifyAwsError(error: unknown): AwsErrorKind {
  if (typeof error !== 'object' || error === null) return 'other';
  const sdk = error as SdkLike;
  // The SDK's checks read `name` as the code: S3's `Code` stands in for it.
  const named = {
    ...sdk,
    name: awsErrorCode(error) ?? 'Error',
    message: String(sdk.message),
  } as Parameters<typeof isTransientError>[0];
  if (named.name === 'AbortError') return 'other';
  if (isThrottlingError(named)) return 'throttled';
  if (EXPIRED.has(named.name)) return 'expired-credentials';
  const status = awsHttpStatus(error);
  if (
    isTransientError(named) ||
    TRANSIENT_NAMES.has(named.name) ||
    (typeof sdk.code === 'string' && TRANSIENT_ERRNOS.has(sdk.code)) ||
    (status !== undefined && status >= 500) ||
    // A failure below the HTTP layer that carries no code (no answer, so no $metadata).
    (sdk.$metadata === undefined && /socket|network|timed? ?out/i.test(named.message))
  )
    return 'transient';
  if (CREDENTIALS.has(named.name) || status === 401) return 'credentials';
  if (DENIED.has(named.name) || status === 403) return 'denied';
  if (NOT_FOUND.has(named.name) || status === 404) return 'not-found';
  return 'other';
}

/** Whether trying the same call again may succeed. */
export function isRetryableAwsKind(kind: AwsErrorKind): boolean {
  return kind === 'throttled' || kind === 'transient' || kind === 'expired-credentials';
}
