// SNS notifications: the exact messages (golden), the limits SNS enforces, and what reaches the
// client's `send` (the AWS boundary: no SNS here).
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { LoadEvent } from '../../src/notify/notifier.js';
import {
  SNS_MAX_PUBLISH_BYTES,
  SnsNotifier,
  type SnsPublisher,
  snsMessageFor,
} from '../../src/notify/sns.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:lakeload-loads';
const AT = '2025-11-13T10:00:00.000Z';
const URI = 's3://lake-bucket/year=2025/month=11/day=13/order_items/order_items_20251113_001.parquet';
const CONTEXT = {
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroup: '/aws/lambda/lakeload',
  logStream: '2025/11/13/[$LATEST]2f1b3c4d5e6f',
};

function publishSize(input: ReturnType<typeof snsMessageFor>): number {
  let size = Buffer.byteLength(input.Message ?? '') + Buffer.byteLength(input.Subject ?? '');
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

describe('snsMessageFor', () => {
  it('writes a loaded event as an email with table, rows, duration and file', () => {
    const event: LoadEvent = {
      type: 'loaded',
      at: AT,
      uri: URI,
      table: 'order_items',
      inserted: 120,
      updated: 3,
      unchanged: 1,
      durationMs: 850,
    };
    expect(snsMessageFor(event, TOPIC, CONTEXT)).toEqual({
      TopicArn: TOPIC,
      Subject: 'lakeload: loaded order_items (+120 new, 3 updated) order_items_20251113_001.parquet',
      Message: [
        'lakeload loaded a file into order_items.',
        '',
        `File:          ${URI}`,
        'Table:         order_items',
        'Rows inserted: 120',
        'Rows updated:  3',
        'Rows unchanged (older than the stored ones): 1',
        'Duration:      850 ms',
        '',
        'Log group:  /aws/lambda/lakeload',
        'Log stream: 2025/11/13/[$LATEST]2f1b3c4d5e6f',
        'Request id: c6af9ac6-7b61-11e6-9a41-93e812345678',
        'Find its logs with CloudWatch Logs Insights: fields @timestamp, level, message | filter function_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"',
        `At:         ${AT}`,
        '',
      ].join('\n'),
      MessageAttributes: {
        event_type: { DataType: 'String', StringValue: 'loaded' },
        table: { DataType: 'String', StringValue: 'order_items' },
      },
    });
  });

  it('writes a failure with error, tip, outcome and where its logs are', () => {
    const event: LoadEvent = {
      type: 'failed',
      at: AT,
      uri: URI,
      table: 'order_items',
      error: 'order_items_20251113_001.parquet: not a Parquet file (no PAR1 magic at the end)',
      tip: 'The object is not readable Parquet: re-export it and upload it again.',
      retryable: false,
    };
    const input = snsMessageFor(event, TOPIC, CONTEXT);
    expect(input.Subject).toBe('lakeload: FAILED order_items order_items_20251113_001.parquet');
    expect(input.Message).toBe(
      [
        'lakeload could not load a file.',
        '',
        `File:       ${URI}`,
        'Table:      order_items',
        'Outcome:    kept as a dead letter (lakeload_dead_letters) until it is fixed and replayed',
        'Error:      order_items_20251113_001.parquet: not a Parquet file (no PAR1 magic at the end)',
        'Tip:        The object is not readable Parquet: re-export it and upload it again.',
        '',
        'Log group:  /aws/lambda/lakeload',
        'Log stream: 2025/11/13/[$LATEST]2f1b3c4d5e6f',
        'Request id: c6af9ac6-7b61-11e6-9a41-93e812345678',
        'Find its logs with CloudWatch Logs Insights: fields @timestamp, level, message | filter function_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"',
        `At:         ${AT}`,
        '',
      ].join('\n'),
    );
    expect(input.MessageAttributes).toEqual({
      event_type: { DataType: 'String', StringValue: 'failed' },
      table: { DataType: 'String', StringValue: 'order_items' },
    });
  });

  it('writes received, duplicate and skipped events; no table attribute where no table is known', () => {
    const received = snsMessageFor({ type: 'received', at: AT, uri: URI }, TOPIC);
    expect(received).toEqual({
      TopicArn: TOPIC,
      Subject: 'lakeload: received order_items_20251113_001.parquet',
      Message: `lakeload received a file and is loading it.\n\nFile:       ${URI}\nAt:         ${AT}\n`,
      MessageAttributes: { event_type: { DataType: 'String', StringValue: 'received' } },
    });
    const duplicate = snsMessageFor({ type: 'duplicate', at: AT, uri: URI, table: 'order_items' }, TOPIC);
    expect(duplicate.Subject).toBe('lakeload: already loaded order_items order_items_20251113_001.parquet');
    expect(duplicate.MessageAttributes?.table?.StringValue).toBe('order_items');
    const skipped = snsMessageFor(
      { type: 'skipped', at: AT, uri: 's3://lake-bucket/exports/_SUCCESS', reason: 'a marker file' },
      TOPIC,
    );
    expect(skipped.Message).toContain('Reason:     a marker file');
    expect(skipped.MessageAttributes).toEqual({ event_type: { DataType: 'String', StringValue: 'skipped' } });
    const unrouted = snsMessageFor(
      { type: 'failed', at: AT, uri: URI, error: 'no route', tip: 'Add a routing rule', retryable: false },
      TOPIC,
    );
    expect(unrouted.Subject).toBe('lakeload: FAILED unrouted file order_items_20251113_001.parquet');
    expect(unrouted.Message).toContain('Table:      (not routed to a table)');
    expect(unrouted.MessageAttributes).toEqual({ event_type: { DataType: 'String', StringValue: 'failed' } });
  });

  it('keeps subjects under 100 printable ASCII characters', () => {
    const long = `s3://b/${'ü'.repeat(30)}\n${'x'.repeat(300)}.parquet`;
    const input = snsMessageFor(
      { type: 'failed', at: AT, uri: long, table: 't'.repeat(120), error: 'e', tip: 't', retryable: true },
      TOPIC,
    );
    expect(input.Subject?.length).toBe(99);
    expect(input.Subject).toMatch(/^lakeload: FAILED t+\.\.\.$/);
    const accented = snsMessageFor({ type: 'received', at: AT, uri: 's3://b/Grüße\tfile.parquet' }, TOPIC);
    expect(accented.Subject).toBe('lakeload: received Gr??e?file.parquet');
    expect(snsMessageFor({ ...baseFailure(), retryable: true }, TOPIC).Subject).toBe(
      'lakeload: FAILED order_items (will retry) order_items_20251113_001.parquet',
    );
  });

  it('cuts an error that would exceed 256 KiB, at a character boundary, and says so', () => {
    const error = `${'€'.repeat(100_000)}END`; // 300,003 bytes of UTF-8
    const input = snsMessageFor({ ...baseFailure(), error }, TOPIC, CONTEXT);
    const size = publishSize(input);
    expect(size).toBeLessThanOrEqual(SNS_MAX_PUBLISH_BYTES);
    expect(size).toBeGreaterThan(SNS_MAX_PUBLISH_BYTES - 200);
    expect(input.Message).not.toContain('END');
    expect(input.Message).not.toContain('\uFFFD');
    expect(input.Message).toMatch(
      /€ … \[error cut to \d+ of 300003 bytes to fit SNS's 256 KiB limit; the whole error is in lakeload_dead_letters and the logs\]\nTip: {8}The object/,
    );
    const shown = Number(/error cut to (\d+) of/.exec(input.Message ?? '')?.[1]);
    expect(shown % 3).toBe(0);
    // The rest of the message survives the cut.
    expect(input.Message).toContain(`Request id: ${CONTEXT.requestId}`);
  });

  it('leaves an error that fits whole', () => {
    const error = 'x'.repeat(200_000);
    const input = snsMessageFor({ ...baseFailure(), error }, TOPIC);
    expect(input.Message).toContain(`Error:      ${error}\n`);
    expect(input.Message).not.toContain('error cut');
  });
});

function baseFailure(): Extract<LoadEvent, { type: 'failed' }> {
  return {
    type: 'failed',
    at: AT,
    uri: URI,
    table: 'order_items',
    error: 'boom',
    tip: 'The object is not readable Parquet: re-export it and upload it again.',
    retryable: false,
  };
}

describe('SnsNotifier', () => {
  function fakeSns(fail = false) {
    const sent: PublishCommand[] = [];
    const client: SnsPublisher = {
      send: async (command) => {
        sent.push(command);
        if (fail) throw Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
        return { MessageId: `m-${sent.length}`, $metadata: {} };
      },
    };
    return { client, sent };
  }

  it('publishes received, loaded and failed by default, with the current invocation context', async () => {
    const { client, sent } = fakeSns();
    let requestId = 'first-request';
    const notifier = new SnsNotifier({ client, topicArn: TOPIC, context: () => ({ requestId }) });
    await notifier.notify({ type: 'received', at: AT, uri: URI });
    await notifier.notify({ type: 'duplicate', at: AT, uri: URI, table: 'order_items' });
    await notifier.notify({ type: 'skipped', at: AT, uri: URI, reason: 'hidden file' });
    requestId = 'second-request';
    await notifier.notify(baseFailure());
    expect(sent.every((command) => command instanceof PublishCommand)).toBe(true);
    expect(sent.map((command) => command.input.MessageAttributes?.event_type?.StringValue)).toEqual([
      'received',
      'failed',
    ]);
    expect(sent[1]?.input.TopicArn).toBe(TOPIC);
    expect(sent[1]?.input.Message).toContain('Request id: second-request');
  });

  it('publishes duplicates and skips when configured to', async () => {
    const { client, sent } = fakeSns();
    const notifier = new SnsNotifier({ client, topicArn: TOPIC, types: ['duplicate', 'skipped'] });
    await notifier.notify({
      type: 'loaded',
      at: AT,
      uri: URI,
      table: 't',
      inserted: 1,
      updated: 0,
      unchanged: 0,
      durationMs: 1,
    });
    await notifier.notify({ type: 'duplicate', at: AT, uri: URI, table: 'order_items' });
    await notifier.notify({ type: 'skipped', at: AT, uri: URI, reason: 'hidden file' });
    expect(sent.map((command) => command.input.MessageAttributes?.event_type?.StringValue)).toEqual([
      'duplicate',
      'skipped',
    ]);
  });

  it("passes the client's error on, for the loader to report without failing the load", async () => {
    const { client } = fakeSns(true);
    const notifier = new SnsNotifier({ client, topicArn: TOPIC });
    await expect(notifier.notify(baseFailure())).rejects.toThrow('Topic does not exist');
  });
});
