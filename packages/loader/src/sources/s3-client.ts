// The one place that creates S3 clients and turns S3 failures into the loader's typed errors.
import { S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, awsHttpStatus, classifyAwsError, isRetryableAwsKind } from '../aws-errors.js';
import { LoaderError } from '../errors.js';

/** Options for {@link createS3Client}; everything else comes from the AWS SDK's default chains. */
export interface S3ClientOptions {
  /** Region; default: the SDK's chain (`AWS_REGION`, the shared config file), `us-east-1` for a local endpoint. */
  region?: string;
  /**
   * An S3 API endpoint such as `http://127.0.0.1:4568`. Default: none given here, so the SDK applies
   * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` itself.
   */
  endpoint?: string;
  /** Path-style URLs (`host/bucket/key`). Default: true when an endpoint URL is configured, else false. */
  forcePathStyle?: boolean;
  /** Explicit credentials (tests, programs); default: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The environment consulted to tell whether an endpoint URL is configured. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The endpoint URL the SDK will use from the environment, if any (it reads the same variables). */
function configuredEndpoint(options: S3ClientOptions): string | undefined {
  const env = options.env ?? process.env;
  if (options.endpoint) return options.endpoint;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * An S3 client with the default credential chain. The SDK honours `AWS_ENDPOINT_URL_S3` on its own;
 * when an endpoint URL is configured (a local S3 API server), requests use path-style URLs, since
 * such servers do not resolve `bucket.host` names, and request checksums are sent only where the
 * API requires them: the SDK's default streams bodies with trailing checksums (`aws-chunked`), which
 * servers such as s3rver store verbatim, framing included (verified against s3rver 3.7.1).
 * `AWS_REQUEST_CHECKSUM_CALCULATION`, when set, still wins.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const env = options.env ?? process.env;
  const endpoint = configuredEndpoint(options);
  const local = endpoint !== undefined;
  const region =
    options.region ?? (local && !env.AWS_REGION && !env.AWS_DEFAULT_REGION ? 'us-east-1' : undefined);
  return new S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(region ? { region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    forcePathStyle: options.forcePathStyle ?? local,
    ...(local && !env.AWS_REQUEST_CHECKSUM_CALCULATION
      ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const }
      : {}),
  });
}

/** An S3 request failed; `retryable` says whether trying again may succeed, `tip` names the fix. */
export class ObjectStoreError extends LoaderError {
  override name = 'ObjectStoreError';
  /** `s3://bucket/key` (or `s3://bucket/`) of the request. */
  readonly uri: string;

  /** `tip`: what to do about it, in one sentence, said in the message too. */
  constructor(
    uri: string,
    message: string,
    tip: string,
    options: ErrorOptions & { retryable?: boolean } = {},
  ) {
    super(`${uri}: ${message}. ${tip}`, { ...options, tip });
    this.uri = uri;
  }
}

/** The bucket or the key does not exist (`NoSuchBucket`, `NoSuchKey`, 404): permanent. */
export class ObjectNotFoundError extends ObjectStoreError {
  override name = 'ObjectNotFoundError';
}

/** The credentials may not do this (`AccessDenied`, bad or expired keys, a KMS key refused): permanent. */
export class ObjectAccessDeniedError extends ObjectStoreError {
  override name = 'ObjectAccessDeniedError';
}

/** The object's bytes are no longer the ones its reference names (a new upload replaced it): permanent. */
export class ObjectChangedError extends ObjectStoreError {
  override name = 'ObjectChangedError';
}

/** S3 or the network failed for now (5xx, throttling, timeouts, resets): retryable. */
export class ObjectStoreUnavailableError extends ObjectStoreError {
  override name = 'ObjectStoreUnavailableError';
  static override readonly retryable: boolean = true;
}

const TIP = {
  bucket:
    'Check the bucket name (and AWS_ENDPOINT_URL_S3 / the region when using a local or non-default endpoint).',
  key: 'Check the key (keys are case-sensitive; list the prefix with `aws s3 ls`); if it was deleted, there is nothing to load.',
  denied:
    'Grant the credentials s3:GetObject/s3:ListBucket (s3:PutObject to upload, kms:Decrypt/kms:GenerateDataKey for SSE-KMS) on this bucket, or use other credentials (AWS_PROFILE).',
  changed:
    'A newer upload replaced the object; its own event loads the new bytes, so nothing needs replaying.',
  credentials:
    'Configure credentials for the default chain: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, or an instance role.',
  unavailable: 'Retry later; the loader retries this on its own.',
  expired:
    'The loader retries with fresh temporary credentials from the default chain; if it keeps failing, renew the session (aws sso login, a new role session).',
  other: 'Read the S3 error above, fix the request or the permissions, then replay.',
} as const;

/** `s3://bucket/key` for messages. */
export function s3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Maps a failed S3 call to a typed loader error, at the boundary where it happened. Aborts pass
 * through unchanged (an interruption is not a failure of the object); so do loader errors.
 */
export function mapS3Error(error: unknown, bucket: string, key?: string): Error {
  if (!(error instanceof Error)) return new ObjectStoreError(s3Uri(bucket, key), String(error), TIP.other);
  if (error instanceof LoaderError || error.name === 'AbortError') return error;
  const uri = s3Uri(bucket, key);
  const status = awsHttpStatus(error);
  const code = awsErrorCode(error);
  const detail = `${error.message}${code && code !== 'Error' && !error.message.includes(code) ? ` (${code})` : ''}`;
  const kind = classifyAwsError(error);
  // HEAD requests get no error body: a 404 on the bucket itself (no key) means the bucket is missing.
  if (code === 'NoSuchBucket' || (key === undefined && kind === 'not-found'))
    return new ObjectNotFoundError(uri, `the bucket "${bucket}" does not exist (NoSuchBucket)`, TIP.bucket, {
      cause: error,
    });
  if (kind === 'not-found')
    return new ObjectNotFoundError(uri, `no such object (${code ?? 404})`, TIP.key, { cause: error });
  if (kind === 'credentials' && error.name === 'CredentialsProviderError')
    return new ObjectAccessDeniedError(uri, `no AWS credentials: ${error.message}`, TIP.credentials, {
      cause: error,
    });
  if (kind === 'denied' || kind === 'credentials')
    return new ObjectAccessDeniedError(uri, `access denied: ${detail}`, TIP.denied, { cause: error });
  if (code === 'PreconditionFailed' || status === 412)
    return new ObjectChangedError(
      uri,
      'the object was replaced since it was listed (ETag differs)',
      TIP.changed,
      {
        cause: error,
      },
    );
  if (kind === 'expired-credentials')
    return new ObjectStoreUnavailableError(uri, `the AWS credentials expired: ${detail}`, TIP.expired, {
      cause: error,
      retryable: true,
    });
  if (isRetryableAwsKind(kind))
    return new ObjectStoreUnavailableError(uri, `S3 is unavailable for now: ${detail}`, TIP.unavailable, {
      cause: error,
      retryable: true,
    });
  // The SDK's own configuration errors, before any request: name the setting.
  if (/region is missing/i.test(error.message))
    return new ObjectStoreError(
      uri,
      'no AWS region is configured',
      'Set AWS_REGION (or a region in the AWS profile).',
      {
        cause: error,
      },
    );
  return new ObjectStoreError(uri, detail, TIP.other, { cause: error });
}
