// The handler on real-shaped events of every source (fixtures from the reference shapes), with the
// core's real parser, router and loader over an in-memory DuckDB warehouse. None of these objects
// is Parquet, so each is routed and skipped; what differs is how each source reports the outcome.
// Last, what each source does when the loading side cannot be opened at all.
import { LoaderError } from '@lakeload/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type LakeloadHandler, RetryInvocationError } from '../src/handler.js';
import { capturingStdout, fixture, GOOD_ENV, lambdaContext, routingOnlyHandler } from './helpers.js';

let handler: LakeloadHandler;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ handler, close } = await routingOnlyHandler());
});
afterAll(async () => close());

async function invoke(path: string) {
  return capturingStdout(async () => handler(await fixture(path), lambdaContext()));
}

describe('events of every source', () => {
  it('direct S3 notification: the object is routed and skipped', async () => {
    const { result, lines } = await invoke('s3/base.json');
    expect(result).toEqual({ loaded: 0, duplicates: 0, skipped: 1, failed: 0, ignored: 0 });
    const skipped = lines.find((line) => line.message === 'skipped');
    expect(skipped).toMatchObject({
      level: 'INFO',
      service: 'lakeload',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      uri: 's3://lambda-artifacts-deafc19498e3f2df/b21b84d653bb07b05b1e6b33684dc11b',
      status: 'skipped',
    });
  });

  it('direct S3 notification with an encoded key: the key is decoded', async () => {
    const { result, lines } = await invoke('s3/decoded-key.json');
    expect(result).toMatchObject({ skipped: 1, failed: 0 });
    expect(lines.find((line) => line.message === 'skipped')?.uri).toBe('s3://sourcebucket/Happy Face.jpg');
  });

  it('EventBridge "Object Created"', async () => {
    const { result, lines } = await invoke('eventbridge/object-created-image.json');
    expect(result).toMatchObject({ skipped: 1, failed: 0 });
    expect(lines.find((line) => line.message === 'skipped')?.uri).toBe('s3://example-bucket/IMG_m7fzo3.jpg');
  });

  it('SQS carrying an S3 notification: nothing to send back', async () => {
    const { result } = await invoke('sqs/s3-notification.json');
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('s3:TestEvent, direct and through SQS: acknowledged and ignored', async () => {
    const direct = await invoke('s3/test-event.json');
    expect(direct.result).toEqual({ loaded: 0, duplicates: 0, skipped: 0, failed: 0, ignored: 1 });
    expect(direct.lines.find((line) => line.message === 'record acknowledged without work')?.reason).toMatch(
      /s3:TestEvent/,
    );
    const queued = await invoke('sqs/test-event.json');
    expect(queued.result).toEqual({ batchItemFailures: [] });
  });

  it('SQS messages that are not S3 events fail alone, by message id', async () => {
    const { result, lines } = await invoke('sqs/base.json');
    expect(result).toEqual({
      batchItemFailures: [
        { itemIdentifier: '059f36b4-87a3-44ab-83d2-661975830a7d' },
        { itemIdentifier: '2e1424d4-f796-459a-8184-9c92662be6da' },
      ],
    });
    const errors = lines.filter((line) => line.message === 'record cannot be read');
    expect(errors.map((line) => line.recordId)).toEqual([
      '059f36b4-87a3-44ab-83d2-661975830a7d',
      '2e1424d4-f796-459a-8184-9c92662be6da',
    ]);
    expect(errors[0]?.error).toMatch(/SQS body is not JSON/);
    expect(errors[1]?.error).toMatch(/unknown event shape \(keys: message\)/);
  });

  it('SNS envelope inside SQS whose message is not an S3 event: that message fails', async () => {
    const { result } = await invoke('sqs/sns-envelope-not-s3.json');
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: '79406a00-bf15-46ca-978c-22c3613fcb30' }],
    });
  });

  it('SNS invocation with an unreadable message: the invocation fails so it is kept', async () => {
    const { error } = await invoke('sns/base.json');
    expect(error).toBeInstanceOf(RetryInvocationError);
    expect((error as Error).message).toMatch(/record 0 cannot be read: SNS Message is not JSON/);
  });

  it('an event of no known shape fails the invocation with what was expected', async () => {
    const { error, lines } = await capturingStdout(() => handler({ hello: 'world' }, lambdaContext()));
    expect(error).toBeInstanceOf(RetryInvocationError);
    expect((error as Error).message).toMatch(
      /record 0 cannot be read: unknown event shape \(keys: hello\); expected an S3 notification/,
    );
    expect(lines.find((line) => line.message === 'record cannot be read')?.level).toBe('ERROR');
    const notJson = await capturingStdout(() => handler('not an event', lambdaContext()));
    expect((notJson.error as Error).name).toBe('EventShapeError');
    expect(notJson.lines.find((line) => line.message === 'the event has no known shape')?.level).toBe(
      'ERROR',
    );
  });
});

describe('when the loading side cannot be opened', () => {
  it('nothing is lost: direct events throw for a retry, SQS records go back, and the next invocation connects again', async () => {
    let attempts = 0;
    const failing = createHandler({
      env: GOOD_ENV,
      connect: async () => {
        attempts += 1;
        // Not retryable by its own account, yet nothing recorded the objects: only a retry keeps them.
        throw new LoaderError('the warehouse refused the connection: password authentication failed');
      },
    });
    const direct = (await fixture('s3/base.json')) as {
      Records: { s3: { object: { key: string } } }[];
    };
    const record = direct.Records[0];
    if (record) record.s3.object.key = 'year%3D2025/month%3D11/day%3D13/order_summary/part-0.parquet';
    const thrown = await capturingStdout(() => failing(direct, lambdaContext()));
    expect(thrown.error).toBeInstanceOf(RetryInvocationError);
    expect((thrown.error as Error).message).toMatch(
      /s3:\/\/lambda-artifacts-deafc19498e3f2df\/year=2025\/month=11\/day=13\/order_summary\/part-0\.parquet: the warehouse refused/,
    );

    const queued = sqsOf(direct, 'msg-1');
    const returned = await capturingStdout(() => failing(queued, lambdaContext()));
    expect(returned.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
    expect(attempts).toBe(2);
  });
});

function sqsOf(body: unknown, messageId: string) {
  return {
    Records: [{ messageId, eventSource: 'aws:sqs', body: JSON.stringify(body), attributes: {} }],
  };
}
