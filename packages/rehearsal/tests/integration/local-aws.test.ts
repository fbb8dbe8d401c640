// The local S3 server (real-shaped notifications, suffix ranges, whole writes), the local SQS queue's delivery and
// redelivery, and the local SNS endpoint, each through the real SDK clients.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseEvent } from '@lakeload/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_S3_CREDENTIALS,
  LocalQueue,
  type LocalS3,
  type LocalSns,
  type SqsEvent,
  startLocalS3,
  startLocalSns,
} from '../../src/index.js';

let s3: LocalS3;
let sns: LocalSns;
let client: S3Client;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: ['lake'] });
  sns = await startLocalSns({ topics: ['arn:aws:sns:us-east-1:000000000000:lakeload'] });
  process.env.AWS_ENDPOINT_URL_S3 = s3.url;
  process.env.AWS_ENDPOINT_URL_SNS = sns.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = LOCAL_S3_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_S3_CREDENTIALS.secretAccessKey;
  client = new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
});
afterAll(async () => {
  client.destroy();
  await s3.close();
  await sns.close();
  process.env = saved;
});

async function collect(queue: LocalQueue): Promise<SqsEvent[]> {
  const events: SqsEvent[] = [];
  await queue.drain(async (event) => {
    events.push(event);
  });
  return events;
}

describe('the local S3 server', () => {
  it('sends notifications in the real shape: form-encoded key, eTag, size, sequencer, no versionId', async () => {
    const queue = new LocalQueue({ name: 'events' });
    const stop = s3.notify('lake', (body) => queue.send(body), { suffix: '.parquet' });
    const key = 'year=2025/month=11/my file+1.parquet';
    const body = Buffer.from('not really parquet');
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'year=2025/readme.txt', Body: 'x' }));
    await client.send(
      new PutObjectCommand({ Bucket: 'lake', Key: key, Body: Buffer.from('second version') }),
    );
    stop();
    const [event] = await collect(queue);
    const records = event?.Records ?? [];
    expect(records).toHaveLength(3);
    expect(JSON.parse(records[0]?.body ?? '')).toMatchObject({ Event: 's3:TestEvent', Bucket: 'lake' });
    const first = JSON.parse(records[1]?.body ?? '').Records[0];
    expect(first).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
    });
    expect(first.s3.bucket).toMatchObject({ name: 'lake', arn: 'arn:aws:s3:::lake' });
    expect(first.s3.object.key).toBe('year%3D2025/month%3D11/my+file%2B1.parquet');
    expect(first.s3.object.size).toBe(body.length);
    expect(first.s3.object.eTag).toBe(createHash('md5').update(body).digest('hex'));
    expect(first.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(first.s3.object).not.toHaveProperty('versionId');
    const second = JSON.parse(records[2]?.body ?? '').Records[0];
    expect(second.s3.object.sequencer > first.s3.object.sequencer).toBe(true);
    // As SQS delivers them, and as the loader reads them back: the exact key again.
    expect(records[1]).toMatchObject({
      eventSource: 'aws:sqs',
      attributes: { ApproximateReceiveCount: '1' },
    });
    const items = parseEvent(event);
    expect(items[0]?.ignored[0]).toMatch(/s3:TestEvent/);
    expect(items[1]?.objects[0]?.key).toBe(key);
    expect(items[1]?.recordId).toBe(records[1]?.messageId);
  });

  it('names multipart completions and copies as S3 does, with the stored eTag', async () => {
    const queue = new LocalQueue();
    const stop = s3.notify('lake', (body) => queue.send(body));
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: 'lake', Key: 'big.parquet' }),
    );
    const part = await client.send(
      new UploadPartCommand({
        Bucket: 'lake',
        Key: 'big.parquet',
        UploadId,
        PartNumber: 1,
        Body: Buffer.from('abc'),
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'lake',
        Key: 'big.parquet',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await client.send(
      new CopyObjectCommand({ Bucket: 'lake', Key: 'copy.parquet', CopySource: 'lake/big.parquet' }),
    );
    await s3.settled(); // the copy's eTag is read from the stored object
    stop();
    const [event] = await collect(queue);
    const records = (event?.Records ?? []).slice(1).map((record) => JSON.parse(record.body).Records[0]);
    expect(records.map((record) => record.eventName)).toEqual([
      'ObjectCreated:CompleteMultipartUpload',
      'ObjectCreated:Copy',
    ]);
    expect(records[1].s3.object.eTag).toBe(records[0].s3.object.eTag);
    expect(records[1].s3.object.size).toBe(3);
  });

  it("stores an SDK client's default aws-chunked upload as its payload, not its framing", async () => {
    // Default checksums and a stream body: the SDK sends STREAMING-UNSIGNED-PAYLOAD-TRAILER.
    const plain = new S3Client({ forcePathStyle: true });
    const body = Buffer.from('PAR1 pretend parquet bytes PAR1');
    await plain.send(
      new PutObjectCommand({
        Bucket: 'lake',
        Key: 'chunked.parquet',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    const got = await plain.send(new GetObjectCommand({ Bucket: 'lake', Key: 'chunked.parquet' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(body);
    plain.destroy();
  });

  it('answers a PUT only once the object is stored whole (a pipe at its path stands in for a slow disk)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rehearsal-slow-disk-'));
    const slow = await startLocalS3({ buckets: ['lake'], directory });
    const storage = new S3Client({
      endpoint: slow.url,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    // s3rver's file for the key `slow.bin`: a write to a named pipe waits until someone reads it.
    const path = join(directory, 'lake', 'slow.bin._S3rver_object');
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    const body = Buffer.alloc(4096, 7);
    try {
      await storage.send(new PutObjectCommand({ Bucket: 'lake', Key: 'slow.bin', Body: body }));
      const head = await storage.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'slow.bin' }));
      expect(head.ContentLength).toBe(body.length);
    } finally {
      // Reading the pipe (if it is still there) lets a write stuck on it finish.
      await readFile(path);
      storage.destroy();
      await slow.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('lets a download that started before an overwrite finish with the old object whole', async () => {
    // Larger than what the sockets buffer: most of it is still on disk when the overwrite comes.
    const old = Buffer.alloc(32 * 1024 * 1024, 1);
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'replaced.bin', Body: old }));
    const download = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'replaced.bin' }));
    await client.send(
      new PutObjectCommand({ Bucket: 'lake', Key: 'replaced.bin', Body: Buffer.from('new version') }),
    );
    const bytes = Buffer.from((await download.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(old)).toBe(true);
    const now = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'replaced.bin' }));
    expect(await now.Body?.transformToString()).toBe('new version');
  });

  it('answers suffix ranges with the last bytes (s3rver alone returns the first N+1)', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: 'lake', Key: 'range.bin', Body: Buffer.from('0123456789abcdef') }),
    );
    const tail = await client.send(
      new GetObjectCommand({ Bucket: 'lake', Key: 'range.bin', Range: 'bytes=-8' }),
    );
    expect(await tail.Body?.transformToString()).toBe('89abcdef');
    const middle = await client.send(
      new GetObjectCommand({ Bucket: 'lake', Key: 'range.bin', Range: 'bytes=2-4' }),
    );
    expect(await middle.Body?.transformToString()).toBe('234');
  });
});

describe('the local queue', () => {
  it('redelivers what batchItemFailures names, then dead-letters it at maxReceiveCount', async () => {
    const queue = new LocalQueue({ maxReceiveCount: 3, batchSize: 10 });
    const good = queue.send('good');
    const bad = queue.send('bad');
    const counts: string[] = [];
    const report = await queue.drain(async (event) => {
      const failing = event.Records.filter((record) => record.body === 'bad');
      for (const record of failing) counts.push(record.attributes.ApproximateReceiveCount);
      return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    expect(report.invocations.map((invocation) => invocation.messageIds)).toEqual([
      [good, bad],
      [bad],
      [bad],
    ]);
    expect(counts).toEqual(['1', '2', '3']);
    expect(queue.deadLetters.map((message) => message.messageId)).toEqual([bad]);
    expect(queue.depth).toBe(0);
  });

  it('runs one batch at a time per handler, several handlers side by side', async () => {
    const queue = new LocalQueue({ batchSize: 1, maxReceiveCount: 2 });
    for (const body of ['a', 'b', 'c', 'd', 'e']) queue.send(body);
    let running = 0;
    let most = 0;
    const seen: string[] = [];
    const environment = async (event: SqsEvent) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      seen.push(...event.Records.map((record) => record.body));
      // 'c' fails once and comes back for another receive.
      const failing = event.Records.filter(
        (r) => r.body === 'c' && r.attributes.ApproximateReceiveCount === '1',
      );
      return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
    };
    const report = await queue.drain([environment, environment]);
    expect(most).toBe(2);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'c', 'd', 'e']);
    expect(report.invocations).toHaveLength(6);
    expect(queue.deadLetters).toEqual([]);
  });

  it('fails the whole batch when the handler throws', async () => {
    const queue = new LocalQueue({ maxReceiveCount: 2 });
    queue.send('a');
    queue.send('b');
    const report = await queue.drain(async () => {
      throw new Error('boom');
    });
    expect(report.invocations).toHaveLength(2);
    expect(report.invocations[0]?.error).toBe('boom');
    expect(queue.deadLetters.map((message) => message.body)).toEqual(['a', 'b']);
    expect(queue.deadLetters[0]?.lastError).toBe('boom');
  });
});

describe('the local SNS endpoint', () => {
  it('records what the real SNS client publishes, with subject and message attributes', async () => {
    const client = new SNSClient({});
    const { MessageId } = await client.send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:lakeload',
        Subject: 'lakeload: loaded order_items (12 rows)',
        Message: JSON.stringify({ table: 'order_items' }),
        MessageAttributes: {
          event: { DataType: 'String', StringValue: 'loaded' },
          rows: { DataType: 'Number', StringValue: '12' },
        },
      }),
    );
    const [published] = sns.published();
    expect(published?.MessageId).toBe(MessageId);
    expect(published).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:lakeload',
      Subject: 'lakeload: loaded order_items (12 rows)',
      Message: '{"table":"order_items"}',
      MessageAttributes: {
        event: { DataType: 'String', StringValue: 'loaded' },
        rows: { DataType: 'Number', StringValue: '12' },
      },
    });
    await expect(
      client.send(
        new PublishCommand({
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:lakeload',
          Subject: 'x'.repeat(100),
          Message: 'm',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Subject' });
    await expect(
      client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:other', Message: 'm' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(sns.published()).toHaveLength(1);
    client.destroy();
  });
});
