// The handler end to end with everything real that can run here: a real S3 API server (s3rver from
// @lakeload/testkit) read through the real SDK client (AWS_ENDPOINT_URL_S3), PostgreSQL as the warehouse
// (in a schema of its own), SNS publishes through the real SDK client to a recording HTTP endpoint
// (AWS_ENDPOINT_URL_SNS). Only the Lambda runtime is stood in for: the context object.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { convert } from '@lakeload/convert';
import { type Driver, fileSource, openWarehouse, readParquetSchema } from '@lakeload/loader';
import { createS3Client } from '@lakeload/loader/s3';
import { generateOrdersFile } from '@lakeload/orders';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsConnect } from '../src/aws.js';
import { LambdaConfigError } from '../src/env.js';
import { createHandler, type LakeloadHandler, RetryInvocationError } from '../src/handler.js';
import { capturingStdout, emfByTable, GOOD_ENV, lambdaContext } from './helpers.js';

const BUCKET = 'lake-bucket';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:lakeload-loads';

interface LakeFile {
  key: string;
  path: string;
  size: number;
  etag: string;
  rows: number;
}

let dir: string;
let s3: S3Server;
let sns: Server;
const published: URLSearchParams[] = [];
let schema: TestSchema;
const files = new Map<string, LakeFile>();
let badKey: string;
const savedEnv = { ...process.env };
const drivers: Driver[] = [];

/** S3 notification keys are URL-encoded form style: `=` arrives as `%3D`, a space as `+`. */
function encodeKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
}

function s3Notification(file: { key: string; size: number; etag: string }, sequencer: string) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2025-11-13T10:00:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'lakeload',
          bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
          object: { key: encodeKey(file.key), size: file.size, eTag: file.etag, sequencer },
        },
      },
    ],
  };
}

function sqsEvent(records: { id: string; body: unknown; receiveCount?: number }[]) {
  return {
    Records: records.map(({ id, body, receiveCount = 1 }) => ({
      messageId: id,
      receiptHandle: `handle-${id}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1763028000000' },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(JSON.stringify(body)).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:lakeload-events',
      awsRegion: 'us-east-1',
    })),
  };
}

function fileOf(dataset: string, day: string): LakeFile {
  const file = [...files.values()].find((candidate) => candidate.key.includes(`day=${day}/${dataset}/`));
  if (!file) throw new Error(`no ${dataset} file for day ${day} in the generated lake`);
  return file;
}

function handlerWith(env: Record<string, string> = {}, filesPerRound?: number): LakeloadHandler {
  return createHandler({
    env: { ...GOOD_ENV, LAKELOAD_WAREHOUSE_URL: schema.url, LAKELOAD_SNS_TOPIC_ARN: TOPIC, ...env },
    connect: awsConnect({
      openDriver: async (config) => {
        const driver = await openWarehouse(config.warehouseUrl);
        drivers.push(driver);
        return driver;
      },
    }),
    ...(filesPerRound ? { filesPerRound } : {}),
  });
}

async function count(table: string): Promise<number> {
  const { rows } = await schema.admin.query(`SELECT count(*)::int AS n FROM "${schema.name}"."${table}"`);
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-lambda-e2e-'));
  // Orders over four days, converted to the lake layout: four files per dataset.
  await generateOrdersFile(join(dir, 'exports', 'orders.jsonl'), {
    orders: 120,
    days: 4,
    seed: 11,
    updateRate: 0,
  });
  await convert({ inputs: [join(dir, 'exports')], outDir: join(dir, 'lake'), threads: 1 });

  s3 = await startS3Server([BUCKET]);

  sns = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    published.push(form);
    response
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r-${published.length}</RequestId></ResponseMetadata></PublishResponse>`,
      );
  });
  await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));

  Object.assign(process.env, s3.env, {
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${(sns.address() as AddressInfo).port}`,
  });

  // Upload the lake with the real client, keeping the ETags S3 reports.
  const client = createS3Client();
  const lake = join(dir, 'lake');
  for (const entry of (await readdir(lake, { recursive: true })).sort()) {
    // Only the datasets: not the converter's _rejects/ and _temporary/ folders.
    if (!entry.endsWith('.parquet') || entry.split('/').some((part) => part.startsWith('_'))) continue;
    const path = join(lake, entry);
    const body = await readFile(path);
    const key = `landing/${entry}`;
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const source = await fileSource(path);
    const { rows } = await readParquetSchema(source).finally(() => source.close());
    files.set(key, { key, path, size: body.length, etag: (put.ETag ?? '').replaceAll('"', ''), rows });
  }
  badKey = 'landing/year=2025/month=11/day=01/order_summary/order summary broken.parquet';
  const bad = Buffer.from('order_id,status\n1,shipped\n'); // a CSV named .parquet
  const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: badKey, Body: bad }));
  files.set(badKey, {
    key: badKey,
    path: '',
    size: bad.length,
    etag: (put.ETag ?? '').replaceAll('"', ''),
    rows: 0,
  });
  client.destroy();

  schema = await createTestSchema('lakeload_lambda');
});

afterAll(async () => {
  for (const driver of drivers) await driver.close();
  await schema?.drop();
  await s3?.close();
  await new Promise((resolve) => sns?.close(resolve));
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

describe('the handler against S3 (s3rver), PostgreSQL and an SNS endpoint', () => {
  it('loads an SQS batch; only the corrupt object comes back in batchItemFailures; EMF per table', async () => {
    const summary = fileOf('order_summary', '01');
    const items = fileOf('order_items', '01');
    const broken = files.get(badKey) as LakeFile;
    const event = sqsEvent([
      { id: 'msg-summary', body: s3Notification(summary, '0055AED6DCD90281E5') },
      { id: 'msg-broken', body: s3Notification(broken, '0055AED6DCD90281E6') },
      { id: 'msg-items', body: s3Notification(items, '0055AED6DCD90281E7') },
    ]);
    const handler = handlerWith();
    const { result, error, lines } = await capturingStdout(() => handler(event, lambdaContext()));
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-broken' }] });

    expect(await count('order_summary')).toBe(summary.rows);
    expect(await count('order_items')).toBe(items.rows);
    const { rows: letters } = await schema.admin.query(
      `SELECT object_uri, error FROM "${schema.name}".lakeload_dead_letters ORDER BY object_uri`,
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]?.object_uri).toBe(`s3://${BUCKET}/${badKey}`);

    // Logs: structured JSON with the request id; the failure names the object and the tip.
    const failed = lines.find((line) => line.message === 'load failed');
    expect(failed).toMatchObject({
      level: 'ERROR',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      recordId: 'msg-broken',
      uri: `s3://${BUCKET}/${badKey}`,
      retryable: false,
    });
    expect(String(failed?.tip)).toMatch(/not readable Parquet/);

    // Metrics: one EMF document per table, namespace lakeload, the table dimension only.
    const emf = lines.filter((line) => line._aws);
    expect(emf.length).toBe(2);
    for (const document of emf) {
      const directive = (
        document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }
      ).CloudWatchMetrics[0];
      expect(directive?.Namespace).toBe('lakeload');
      expect(directive?.Dimensions).toEqual([['table']]);
    }
    const byTable = emfByTable(lines);
    expect(byTable.get('order_summary')).toMatchObject({
      FilesLoaded: [1],
      RowsInserted: [summary.rows],
      RowsUpdated: [0],
      LoadFailures: [1],
      Duplicates: [0],
    });
    expect(byTable.get('order_items')).toMatchObject({
      FilesLoaded: [1],
      RowsInserted: [items.rows],
      LoadFailures: [0],
    });
    expect(byTable.get('order_items')?.LoadLatency).toHaveLength(1);

    // Notifications through the real SNS client: received ×3, loaded ×2, failed ×1.
    const types = published.map((form) => form.get('MessageAttributes.entry.1.Value.StringValue'));
    expect(types.sort()).toEqual(['failed', 'loaded', 'loaded', 'received', 'received', 'received']);
    const failure = published.find(
      (form) => form.get('MessageAttributes.entry.1.Value.StringValue') === 'failed',
    );
    expect(failure?.get('Action')).toBe('Publish');
    expect(failure?.get('TopicArn')).toBe(TOPIC);
    expect(failure?.get('Subject')).toBe('lakeload: FAILED order_summary order summary broken.parquet');
    expect(failure?.get('Message')).toContain('Request id: c6af9ac6-7b61-11e6-9a41-93e812345678');
    expect(failure?.get('Message')).toContain('Log group:  /aws/lambda/lakeload');
    expect(failure?.get('MessageAttributes.entry.2.Name')).toBe('table');
    expect(failure?.get('MessageAttributes.entry.2.Value.StringValue')).toBe('order_summary');
  });

  it('a duplicate delivery loads nothing twice and is counted as Duplicates', async () => {
    const summary = fileOf('order_summary', '01');
    const event = sqsEvent([{ id: 'msg-again', body: s3Notification(summary, '0055AED6DCD90281E5') }]);
    const { result, lines } = await capturingStdout(() => handlerWith()(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await count('order_summary')).toBe(summary.rows);
    expect(lines.find((line) => line.message === 'already loaded (duplicate delivery)')?.uri).toBe(
      `s3://${BUCKET}/${summary.key}`,
    );
    expect(emfByTable(lines).get('order_summary')).toMatchObject({
      FilesLoaded: [0],
      Duplicates: [1],
      RowsInserted: [0],
    });
  });

  it('a redelivered message announces only what can change: not the arrival, not a failure for good', async () => {
    const broken = files.get(badKey) as LakeFile;
    const fresh = fileOf('order_summary', '04');
    const before = published.length;
    const event = sqsEvent([
      { id: 'msg-broken', body: s3Notification(broken, '0055AED6DCD90281E6'), receiveCount: 3 },
      { id: 'msg-fresh', body: s3Notification(fresh, '0055AED6DCD90281E8'), receiveCount: 2 },
    ]);
    const { result, lines } = await capturingStdout(() => handlerWith()(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-broken' }] });
    expect(lines.find((line) => line.message === 'load failed')?.recordId).toBe('msg-broken');
    const sent = published.slice(before).map((form) => ({
      type: form.get('MessageAttributes.entry.1.Value.StringValue'),
      subject: form.get('Subject'),
    }));
    expect(sent).toEqual([
      {
        type: 'loaded',
        subject: expect.stringMatching(/^lakeload: loaded order_summary \(\+\d+ new, 0 updated\)/),
      },
    ]);
  });

  it('the same object twice in one batch loads once: one loaded, one duplicate, no failures', async () => {
    const items = fileOf('order_items', '04');
    const before = await count('order_items');
    const notification = s3Notification(items, '0055AED6DCD90281F9');
    const event = sqsEvent([
      { id: 'msg-first', body: notification },
      { id: 'msg-second', body: notification },
    ]);
    const { result, lines } = await capturingStdout(() => handlerWith()(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await count('order_items')).toBe(before + items.rows);
    expect(emfByTable(lines).get('order_items')).toMatchObject({ FilesLoaded: [1], Duplicates: [1] });
  });

  it('an s3:TestEvent through SQS is acknowledged: no failures, nothing loaded', async () => {
    const event = sqsEvent([
      {
        id: 'msg-test',
        body: {
          Service: 'Amazon S3',
          Event: 's3:TestEvent',
          Time: '2025-11-13T10:00:00.000Z',
          Bucket: BUCKET,
        },
      },
    ]);
    const { result, lines } = await capturingStdout(() => handlerWith()(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(lines.filter((line) => line._aws)).toEqual([]);
  });

  it('stops taking files when the time runs short: unstarted records go back, and load on redelivery', async () => {
    const records = ['02', '03'].flatMap((day) =>
      ['order_summary', 'order_flattened'].map((dataset) => ({
        id: `msg-${dataset}-${day}`,
        body: s3Notification(fileOf(dataset, day), `00${day}AED6DCD90281E5`),
      })),
    );
    const summaries = await count('order_summary');
    const handler = handlerWith({ LAKELOAD_SAFETY_MARGIN_MS: '10000' }, 1);
    // Enough time for the first file, then less than the safety margin.
    const context = lambdaContext([60_000, 9_000]);
    const { result, lines } = await capturingStdout(() => handler(sqsEvent(records), context));
    expect(result).toEqual({
      batchItemFailures: records.slice(1).map(({ id }) => ({ itemIdentifier: id })),
    });
    expect(lines.find((line) => line.message?.toString().startsWith('less time remains'))).toMatchObject({
      level: 'WARN',
      remainingMs: 9_000,
      safetyMarginMs: 10_000,
    });
    expect(await count('order_summary')).toBe(summaries + fileOf('order_summary', '02').rows);

    const again = await capturingStdout(() => handler(sqsEvent(records.slice(1)), lambdaContext()));
    expect(again.result).toEqual({ batchItemFailures: [] });
    expect(await count('order_flattened')).toBe(
      fileOf('order_flattened', '02').rows + fileOf('order_flattened', '03').rows,
    );
  });

  it('the safety margin reached inside a round: results so far stand, the files not loaded go back', async () => {
    const marker = {
      key: 'landing/year=2025/month=11/day=03/order_items/_SUCCESS',
      size: 0,
      etag: 'd41d8cd98f00b204e9800998ecf8427e',
    };
    const pending = fileOf('order_flattened', '01'); // not loaded by any test before
    const before = await count('order_flattened');
    const records = [
      { id: 'msg-marker', body: s3Notification(marker, '0055AED6DCD90281F1') },
      { id: 'msg-pending', body: s3Notification(pending, '0055AED6DCD90281F2') },
    ];
    // Exactly the margin left: the round may read and route, but no batch starts.
    const { result, lines } = await capturingStdout(() =>
      handlerWith({ LAKELOAD_SAFETY_MARGIN_MS: '10000' })(sqsEvent(records), lambdaContext([10_000])),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-pending' }] });
    expect(lines.find((line) => line.message === 'skipped')).toMatchObject({ recordId: 'msg-marker' });
    expect(
      lines.find((line) => String(line.message).startsWith('the safety margin was reached')),
    ).toMatchObject({
      level: 'WARN',
      files: 2,
      finished: 1,
    });
    expect(await count('order_flattened')).toBe(before);
  });

  it('a direct invocation: a permanent failure is a dead letter, not a throw; an unreachable S3 throws for a retry', async () => {
    const broken = files.get(badKey) as LakeFile;
    const direct = await capturingStdout(() =>
      handlerWith()(s3Notification(broken, '0055AED6DCD90281E6'), lambdaContext()),
    );
    expect(direct.error).toBeUndefined();
    expect(direct.result).toEqual({ loaded: 0, duplicates: 0, skipped: 0, failed: 1, ignored: 0 });

    const unreachable = createHandler({
      env: { ...GOOD_ENV, LAKELOAD_WAREHOUSE_URL: schema.url },
      connect: awsConnect({
        openDriver: async (config) => {
          const driver = await openWarehouse(config.warehouseUrl);
          drivers.push(driver);
          return driver;
        },
        s3: createS3Client({
          endpoint: 'http://127.0.0.1:9',
          credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        }),
      }),
    });
    const file = fileOf('order_items', '02');
    const { error } = await capturingStdout(() =>
      unreachable(s3Notification(file, '0055AED6DCD90281F0'), lambdaContext()),
    );
    expect(error).toBeInstanceOf(RetryInvocationError);
    expect((error as Error).message).toContain(`s3://${BUCKET}/${file.key}`);
  });

  it('EventBridge "Object Created" and an SNS envelope in SQS load their objects too', async () => {
    const items = fileOf('order_items', '03');
    const before = await count('order_items');
    const eventBridge = {
      version: '0',
      id: 'f5f1e65c-dc3a-93ca-6c1e-b1647eac7963',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '123456789012',
      time: '2025-11-13T10:00:00Z',
      region: 'us-east-1',
      resources: [`arn:aws:s3:::${BUCKET}`],
      // EventBridge keys arrive as they are, not URL-encoded.
      detail: {
        version: '0',
        bucket: { name: BUCKET },
        object: { key: items.key, size: items.size, etag: items.etag },
      },
    };
    const viaEventBridge = await capturingStdout(() => handlerWith()(eventBridge, lambdaContext()));
    expect(viaEventBridge.result).toEqual({ loaded: 1, duplicates: 0, skipped: 0, failed: 0, ignored: 0 });

    // The file whose S3 read failed earlier (a retryable failure) loads once S3 answers again.
    const retried = fileOf('order_items', '02');
    const envelope = {
      Type: 'Notification',
      MessageId: 'd88d4479-6ec0-54fe-b63f-1cf9df4bb16e',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:lake-bucket-events',
      Message: JSON.stringify(s3Notification(retried, '0055AED6DCD90281F0')),
      Timestamp: '2025-11-13T10:00:00.000Z',
    };
    const viaSns = await capturingStdout(() =>
      handlerWith()(sqsEvent([{ id: 'msg-sns', body: envelope }]), lambdaContext()),
    );
    expect(viaSns.result).toEqual({ batchItemFailures: [] });
    expect(await count('order_items')).toBe(before + items.rows + retried.rows);
  });

  it('a bad environment fails the cold start with every problem listed', () => {
    expect(() =>
      handlerWith({
        LAKELOAD_COPY_ROLE_ARN: 'copy-role',
        LAKELOAD_SAFETY_MARGIN_MS: '-5',
        LAKELOAD_MANIFEST_PREFIX: '',
      }),
    ).toThrow(LambdaConfigError);
    try {
      handlerWith({
        LAKELOAD_COPY_ROLE_ARN: 'copy-role',
        LAKELOAD_SAFETY_MARGIN_MS: '-5',
        LAKELOAD_MANIFEST_PREFIX: '',
      });
    } catch (error) {
      expect((error as LambdaConfigError).problems).toEqual([
        expect.stringMatching(/^LAKELOAD_COPY_ROLE_ARN "copy-role" is not an IAM role ARN/),
        expect.stringMatching(/^LAKELOAD_MANIFEST_PREFIX is not set/),
        expect.stringMatching(/^LAKELOAD_SAFETY_MARGIN_MS "-5" is not a whole number/),
      ]);
    }
  });
});
