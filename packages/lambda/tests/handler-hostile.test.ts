import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LakeloadHandler, RetryInvocationError } from '../src/handler.js';
import { capturingStdout, lambdaContext, routingOnlyHandler } from './helpers.js';

let handler: LakeloadHandler;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ handler, close } = await routingOnlyHandler());
});
afterAll(async () => close());

/** One S3 notification record; `object` replaces fields of the object (undefined removes one). */
function s3Record(key: string, object: Record<string, unknown> = {}, eventName = 'ObjectCreated:Put') {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2026-12-01T10:00:00.000Z',
    eventName,
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: 'lake', arn: 'arn:aws:s3:::lake' },
      object: { key, size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0A1B', ...object },
    },
  };
}

function eventBridge(key: string, detailType = 'Object Created') {
  return {
    version: '0',
    'detail-type': detailType,
    source: 'aws.s3',
    time: '2026-12-01T10:00:00Z',
    detail: { bucket: { name: 'lake' }, object: { key, size: 1024, etag: 'abc', sequencer: '0A1C' } },
  };
}

/** An SQS batch: each message's body is the value given (strings are sent as they are). */
function sqs(messages: [id: string, body: unknown][]) {
  return {
    Records: messages.map(([messageId, body]) => ({
      messageId,
      receiptHandle: `handle-${messageId}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:lakeload-events',
      awsRegion: 'eu-west-1',
    })),
  };
}

const logged = (lines: Record<string, unknown>[], message: string) =>
  lines.filter((line) => line.message === message);

describe('hostile events', () => {
  it('an SQS batch of good, mangled and foreign messages: each bad one fails alone, every good object is handled', async () => {
    const truncated = JSON.stringify({ Records: [s3Record('in/whole.txt')] }).slice(0, 80);
    const event = sqs([
      ['m-good', { Records: [s3Record('in/my+file%3D1%2B2.txt')] }],
      ['m-truncated', truncated],
      ['m-mixed', { Records: [s3Record('in/mixed.txt'), s3Record('in/sizeless.txt', { size: undefined })] }],
      ['m-test', { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'lake' }],
      ['m-eventbridge', eventBridge('in/eb file.txt')],
      ['m-eb-deleted', eventBridge('in/gone.txt', 'Object Deleted')],
      ['m-zero', { Records: [s3Record('in/zero.parquet', { size: 0 })] }],
      ['m-no-etag', { Records: [s3Record('in/etagless.txt', { eTag: undefined })] }],
      ['m-version', { Records: [s3Record('in/versioned.txt', { versionId: '3HL4kqtJ' })] }],
      ['m-removed', { Records: [s3Record('in/removed.txt', {}, 'ObjectRemoved:Delete')] }],
      ['m-bad-escape', { Records: [s3Record('in/%E0%A4%A.txt')] }],
      ['m-empty', ''],
      ['m-no-records', { Records: [] }],
    ]);
    const { result, lines } = await capturingStdout(() => handler(event, lambdaContext()));
    expect(result).toEqual({
      batchItemFailures: ['m-truncated', 'm-mixed', 'm-no-etag', 'm-bad-escape', 'm-empty'].map(
        (itemIdentifier) => ({ itemIdentifier }),
      ),
    });
    const skipped = logged(lines, 'skipped').map((line) => [line.recordId, line.uri, line.reason]);
    expect(skipped).toEqual([
      ['m-good', 's3://lake/in/my file=1+2.txt', 'not a .parquet file'],
      ['m-mixed', 's3://lake/in/mixed.txt', 'not a .parquet file'],
      ['m-eventbridge', 's3://lake/in/eb file.txt', 'not a .parquet file'],
      ['m-zero', 's3://lake/in/zero.parquet', 'zero-byte object'],
      ['m-version', 's3://lake/in/versioned.txt', 'not a .parquet file'],
    ]);
    const unreadable = Object.fromEntries(
      logged(lines, 'record cannot be read').map((line) => [line.recordId, line.error]),
    );
    expect(unreadable).toEqual({
      'm-truncated': expect.stringMatching(/^SQS body is not JSON/),
      'm-mixed': expect.stringMatching(/^S3 record 1: s3\.object\.size is missing/),
      'm-no-etag': expect.stringMatching(/^s3\.object\.eTag is missing/),
      'm-bad-escape': expect.stringMatching(/is not valid URL encoding/),
      'm-empty': expect.stringMatching(/^SQS body is missing/),
    });
    const ignored = logged(lines, 'record acknowledged without work').map((line) => line.recordId);
    expect(ignored).toEqual(['m-test', 'm-eb-deleted', 'm-removed']);
  });

  it('a direct S3 event with one bad record among good ones: the good ones are handled, the invocation asks for a retry', async () => {
    const event = {
      Records: [s3Record('in/one.txt'), s3Record('in/two.txt', { size: -1 }), s3Record('in/three.txt')],
    };
    const { error, lines } = await capturingStdout(() => handler(event, lambdaContext()));
    expect(error).toBeInstanceOf(RetryInvocationError);
    expect((error as Error).message).toMatch(/record 1 cannot be read: s3\.object\.size is missing/);
    expect(logged(lines, 'skipped').map((line) => line.uri)).toEqual([
      's3://lake/in/one.txt',
      's3://lake/in/three.txt',
    ]);
  });

  it('the largest SQS batch Lambda delivers (10,000 messages): every object handled, none failed', async () => {
    const messages: [string, unknown][] = Array.from({ length: 10_000 }, (_, index) => [
      `m-${index}`,
      { Records: [s3Record(`in/file-${index}.txt`)] },
    ]);
    const { result, lines } = await capturingStdout(() => handler(sqs(messages), lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(logged(lines, 'skipped')).toHaveLength(10_000);
  });
});
