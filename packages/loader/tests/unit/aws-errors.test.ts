import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { type AwsErrorKind, classifyAwsError } from '../../src/aws-errors.js';
import { mapS3Error } from '../../src/sources/s3-client.js';
import { mapAwsError } from '../../src/warehouse/redshift/redshift-errors.js';

/** A service's answer as the SDK throws it: the code as `name`, the HTTP status in `$metadata`. */
function service(name: string, status: number, extra: object = {}): Error {
  return Object.assign(
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
    }),
    extra,
  );
}
/** A Node socket failure: no answer, only an errno code. */
const network = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code });

const cases: [string, unknown, AwsErrorKind, boolean][] = [
  ['S3 SlowDown (503)', service('SlowDown', 503), 'throttled', true],
  ['Data API ThrottlingException (400)', service('ThrottlingException', 400), 'throttled', true],
  ['any code with HTTP 429', service('TooManyRequests', 429), 'throttled', true],
  [
    '$retryable.throttling set by the SDK',
    service('Whatever', 400, { $retryable: { throttling: true } }),
    'throttled',
    true,
  ],
  ['ECONNRESET', network('ECONNRESET'), 'transient', true],
  ['EHOSTUNREACH', network('EHOSTUNREACH'), 'transient', true],
  ['ENETUNREACH', network('ENETUNREACH'), 'transient', true],
  ['EAI_AGAIN', network('EAI_AGAIN'), 'transient', true],
  ['UND_ERR_SOCKET', network('UND_ERR_SOCKET'), 'transient', true],
  ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient', true],
  ['HTTP 500 InternalError', service('InternalError', 500), 'transient', true],
  ['Data API ActiveStatementsExceeded', service('ActiveStatementsExceededException', 400), 'transient', true],
  ['$retryable set by the SDK', service('Odd', 400, { $retryable: {} }), 'transient', true],
  ['S3 ExpiredToken', service('ExpiredToken', 400), 'expired-credentials', true],
  ['STS-style ExpiredTokenException', service('ExpiredTokenException', 400), 'expired-credentials', true],
  ['S3 InvalidAccessKeyId', service('InvalidAccessKeyId', 403), 'credentials', false],
  ['UnrecognizedClientException', service('UnrecognizedClientException', 400), 'credentials', false],
  [
    'no credentials at all',
    Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
    'credentials',
    false,
  ],
  ['S3 AccessDenied', service('AccessDenied', 403), 'denied', false],
  ['Data API AccessDeniedException', service('AccessDeniedException', 400), 'denied', false],
  ['a bare 403 (HEAD)', service('Forbidden', 403), 'denied', false],
  ['S3 NoSuchKey', service('NoSuchKey', 404), 'not-found', false],
  ['Data API ResourceNotFoundException', service('ResourceNotFoundException', 400), 'not-found', false],
  ['Data API ValidationException', service('ValidationException', 400), 'other', false],
  ['an abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'other', false],
];

describe('classifyAwsError', () => {
  it.each(cases)('%s → %s', (_, error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });
});

// Both AWS clients of the loader decide retryable the same way, from the one classification.
describe('S3 and the Data API agree', () => {
  it.each(cases.filter(([, , kind]) => kind !== 'other'))(
    '%s → retryable %s',
    (_, error, _kind, retryable) => {
      expect(mapAwsError(error, 'query failed').retryable).toBe(retryable);
      expect(mapS3Error(error, 'bucket', 'key')).toMatchObject({ retryable });
    },
  );

  it('says expired credentials are retried, and names the permissions when denied', () => {
    expect(mapS3Error(service('ExpiredToken', 400), 'b', 'k').message).toMatch(/credentials expired/);
    expect(mapAwsError(service('ExpiredTokenException', 400), 'query failed').message).toMatch(/expired/);
    expect(mapAwsError(service('AccessDeniedException', 400), 'query failed').message).toMatch(
      /redshift-data:\*Statement\*/,
    );
  });
});
