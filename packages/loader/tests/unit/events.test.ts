import { eventFixture } from '@lakeload/testkit/events';
import { describe, expect, it } from 'vitest';
import { EventShapeError } from '../../src/errors.js';
import { decodeS3Key, parseEvent } from '../../src/events/parse.js';

const fixture = (name: string): Promise<unknown> => eventFixture(`${name}.json`);

const KEY = 'exports/year=2025/month=11/day=13/order_items/order_items_20251113_001.parquet';

describe('decodeS3Key', () => {
  it.each([
    ['year%3D2025/a.parquet', 'year=2025/a.parquet'],
    ['my+export+%28final%29.parquet', 'my export (final).parquet'],
    ['a%2Bb.parquet', 'a+b.parquet'],
    ['caf%C3%A9.parquet', 'café.parquet'],
  ])('decodes %s form style', (encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
  });

  it('rejects broken encoding with an error that says so', () => {
    expect(() => decodeS3Key('bad%E0%A4%A.parquet')).toThrow(/not valid URL encoding/);
  });
});

describe('parseEvent', () => {
  it('reads a direct S3 notification, decoding each key', async () => {
    const items = parseEvent(await fixture('s3/put'));
    expect(items.map((item) => item.objects)).toEqual([
      [
        {
          bucket: 'acme-lake',
          key: KEY,
          size: 52311,
          etag: '9b2cf535f27731c974343645a3985328',
          versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
          sequencer: '0062E99A88DC407460',
          eventTime: '2025-11-13T09:12:44.123Z',
        },
      ],
      [
        {
          bucket: 'acme-lake',
          key: 'landing/order_summary/my export (final).parquet',
          size: 2048,
          etag: 'd41d8cd98f00b204e9800998ecf8427e',
          sequencer: '0062E99A88DC407461',
          eventTime: '2025-11-13T09:12:44.123Z',
        },
      ],
    ]);
  });

  it('acknowledges removals and the s3:TestEvent without work', async () => {
    expect(parseEvent(await fixture('s3/removed'))).toEqual([
      { recordId: '0', objects: [], ignored: ['ObjectRemoved:Delete is not an object creation'] },
    ]);
    expect(parseEvent(await fixture('s3/test-event'))).toEqual([
      { recordId: '0', objects: [], ignored: ['s3:TestEvent (sent when a bucket notification is saved)'] },
    ]);
  });

  it('reads an SQS batch per message, so one broken message fails alone', async () => {
    const [first, second, third] = parseEvent(await fixture('sqs/s3-body'));
    expect(first).toMatchObject({
      recordId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      objects: [{ key: KEY }],
    });
    expect(second).toMatchObject({
      recordId: '2e1424d4-f796-459a-8184-9c92662be6da',
      objects: [],
      ignored: [expect.stringMatching(/TestEvent/)],
    });
    expect(third?.recordId).toBe('c8a2a8a0-17a5-4a6b-9b2e-0e8d8a4e3f11');
    expect(third?.error).toBeInstanceOf(EventShapeError);
    expect(third?.error?.message).toMatch(/SQS body is not JSON/);
  });

  it('reads the good S3 records of a message beside a bad one, and names the bad one', async () => {
    const event = (await fixture('s3/put')) as { Records: Record<string, unknown>[] };
    const [good, other] = event.Records as [Record<string, unknown>, Record<string, unknown>];
    const object = (good.s3 as { object: Record<string, unknown> }).object;
    const sizeless = { ...good, s3: { ...(good.s3 as object), object: { ...object, size: undefined } } };
    const body = JSON.stringify({ Records: [good, sizeless, { eventSource: 'aws:dynamodb' }, other] });
    const [message] = parseEvent({ Records: [{ eventSource: 'aws:sqs', messageId: 'm-1', body }] });
    expect(message?.objects.map((ref) => ref.key)).toEqual([
      KEY,
      'landing/order_summary/my export (final).parquet',
    ]);
    expect(message?.error).toBeInstanceOf(EventShapeError);
    expect(message?.error?.message).toMatch(
      /^S3 record 1: s3\.object\.size is missing or not a whole number of bytes; S3 record 2: a record inside a message is not an S3 notification record/,
    );
    const [direct] = parseEvent({
      Records: [{ eventSource: 'aws:sqs', messageId: 'm-2', body: JSON.stringify({ Records: [sizeless] }) }],
    });
    expect(direct?.objects).toEqual([]);
    expect(direct?.error?.message).toMatch(/^s3\.object\.size is missing/);
  });

  it('unwraps an SNS envelope inside an SQS body, and an SNS event delivered directly', async () => {
    const [enveloped] = parseEvent(await fixture('sqs/sns-envelope'));
    expect(enveloped).toMatchObject({
      recordId: '79406a00-bf15-46ca-978c-22c3613fcb30',
      objects: [{ key: KEY, size: 52311 }],
    });
    const [direct] = parseEvent(await fixture('sns/s3-message'));
    expect(direct).toMatchObject({ objects: [{ key: KEY, bucket: 'acme-lake' }] });
  });

  it('reads EventBridge "Object Created" with its lowercase etag and version-id, key as is', async () => {
    expect(parseEvent(await fixture('eventbridge/object-created'))).toEqual([
      {
        recordId: '0',
        ignored: [],
        objects: [
          {
            bucket: 'acme-lake',
            key: 'exports/year=2025/month=11/day=13/order_items/my file.parquet',
            size: 52311,
            etag: '4e68adba0abe2dc8653dc3354e14c01d',
            versionId: '3HL4kqtJlcpXroDTDmJ',
            sequencer: '006408CAD69598B05E',
            eventTime: '2025-11-13T09:12:44Z',
          },
        ],
      },
    ]);
  });

  it('reads the local watcher events', async () => {
    const [local] = parseEvent(await fixture('local/file'));
    expect(local?.objects[0]).toMatchObject({ bucket: '/srv/lake', etag: 'sha256:ab12', size: 4096 });
  });

  it('accepts any 2.x notification version and refuses others', async () => {
    const event = (await fixture('s3/put')) as { Records: Record<string, unknown>[] };
    const record = event.Records[0] as Record<string, unknown>;
    expect(parseEvent({ Records: [{ ...record, eventVersion: '2.3' }] })[0]?.objects).toHaveLength(1);
    expect(parseEvent({ Records: [{ ...record, eventVersion: '1.0' }] })[0]?.error?.message).toMatch(
      /eventVersion 1\.0 is not supported/,
    );
  });

  it('names the expected shapes when it meets an unknown one', () => {
    expect(() => parseEvent('hello')).toThrow(EventShapeError);
    const [item] = parseEvent({ detail: {} });
    expect(item?.error?.message).toMatch(/unknown event shape \(keys: detail\); expected an S3 notification/);
    const [foreign] = parseEvent({ Records: [{ eventSource: 'aws:dynamodb' }] });
    expect(foreign?.error?.message).toMatch(
      /eventSource "aws:dynamodb"; expected aws:s3, aws:sqs or aws:sns/,
    );
  });
});
