// Every way an "object created" reaches the loader, reduced to object references: S3 notifications
// (direct, through SQS, through SNS, SNS inside SQS raw or enveloped), EventBridge, S3's test event
// and the local watcher's own events.

import { unquoteEtag } from '@lakeload/commons';
import { EventShapeError } from '../errors.js';
import type { EventItem, ObjectRef } from './types.js';

type Json = Record<string, unknown>;

const EXPECTED =
  'an S3 notification ({"Records":[{"eventSource":"aws:s3",…}]}), an SQS or SNS event wrapping one, an EventBridge "Object Created" event, an s3:TestEvent, or a lakeload.local event';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '')
    throw new EventShapeError(`${what} is missing or not a string`);
  return value;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function size(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EventShapeError(`${what} is missing or not a whole number of bytes`);
  }
  return value;
}

/**
 * S3 notifications carry keys URL-encoded form style: `+` is a space and `%3D` is `=`, so
 * `year%3D2025/my+file.parquet` is the object `year=2025/my file.parquet`.
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    throw new EventShapeError(
      `object key "${encoded}" is not valid URL encoding; S3 notifications encode keys form style`,
    );
  }
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new EventShapeError(`${what} is not JSON (${(error as Error).message})`, { cause: error });
  }
}

interface Found {
  objects: ObjectRef[];
  ignored: string[];
  /** S3 records of one message that cannot be read; the message's other records still load. */
  unreadable: string[];
}

/** One record of an S3 notification (`Records[i]` with `eventSource: "aws:s3"`). */
function fromS3Record(record: Json, found: Found): void {
  const version = text(record.eventVersion, 'eventVersion');
  if (version.split('.')[0] !== '2') {
    throw new EventShapeError(`S3 notification eventVersion ${version} is not supported; expected 2.x`);
  }
  const eventName = text(record.eventName, 'eventName');
  if (!eventName.startsWith('ObjectCreated:')) {
    found.ignored.push(`${eventName} is not an object creation`);
    return;
  }
  const s3 = isObject(record.s3) ? record.s3 : {};
  const bucket = isObject(s3.bucket) ? s3.bucket : {};
  const object = isObject(s3.object) ? s3.object : {};
  const ref: ObjectRef = {
    bucket: text(bucket.name, 's3.bucket.name'),
    key: decodeS3Key(text(object.key, 's3.object.key')),
    size: size(object.size, 's3.object.size'),
    etag: unquoteEtag(text(object.eTag, 's3.object.eTag')),
    eventTime: text(record.eventTime, 'eventTime'),
  };
  const versionId = optionalText(object.versionId);
  const sequencer = optionalText(object.sequencer);
  if (versionId) ref.versionId = versionId;
  if (sequencer) ref.sequencer = sequencer;
  found.objects.push(ref);
}

/** EventBridge "Object Created": keys arrive as they are, not URL-encoded. */
function fromEventBridge(event: Json, found: Found): void {
  const detail = isObject(event.detail) ? event.detail : {};
  const bucket = isObject(detail.bucket) ? detail.bucket : {};
  const object = isObject(detail.object) ? detail.object : {};
  const ref: ObjectRef = {
    bucket: text(bucket.name, 'detail.bucket.name'),
    key: text(object.key, 'detail.object.key'),
    size: size(object.size, 'detail.object.size'),
    etag: unquoteEtag(text(object.etag, 'detail.object.etag')),
    eventTime: text(event.time, 'time'),
  };
  const versionId = optionalText(object['version-id']);
  const sequencer = optionalText(object.sequencer);
  if (versionId) ref.versionId = versionId;
  if (sequencer) ref.sequencer = sequencer;
  found.objects.push(ref);
}

/** The local watcher's events: a folder stands in for the bucket, and the key is the relative path. */
function fromLocal(event: Json, found: Found): void {
  found.objects.push({
    bucket: text(event.bucket, 'bucket'),
    key: text(event.key, 'key'),
    size: size(event.size, 'size'),
    etag: text(event.etag, 'etag'),
    eventTime: text(event.eventTime, 'eventTime'),
  });
}

const MAX_NESTING = 3;

/** A message body or the whole event: the shapes that can stand on their own or inside SQS/SNS. */
function fromMessage(value: unknown, found: Found, depth: number): void {
  if (depth > MAX_NESTING)
    throw new EventShapeError(`events nested more than ${MAX_NESTING} deep; expected ${EXPECTED}`);
  if (!isObject(value)) throw new EventShapeError(`expected a JSON object: ${EXPECTED}`);
  if (value.Event === 's3:TestEvent') {
    found.ignored.push('s3:TestEvent (sent when a bucket notification is saved)');
    return;
  }
  if (value.source === 'aws.s3') {
    if (value['detail-type'] === 'Object Created') fromEventBridge(value, found);
    else found.ignored.push(`EventBridge "${String(value['detail-type'])}" is not an object creation`);
    return;
  }
  if (value.source === 'lakeload.local') {
    fromLocal(value, found);
    return;
  }
  // An SNS envelope in an SQS body (the subscription without raw message delivery).
  if (value.Type === 'Notification' && typeof value.Message === 'string') {
    fromMessage(parseJson(value.Message, 'SNS Message'), found, depth + 1);
    return;
  }
  if (Array.isArray(value.Records)) {
    for (const [index, record] of value.Records.entries()) {
      try {
        if (!isObject(record) || record.eventSource !== 'aws:s3') {
          throw new EventShapeError(
            `a record inside a message is not an S3 notification record; expected ${EXPECTED}`,
          );
        }
        fromS3Record(record, found);
      } catch (error) {
        if (!(error instanceof EventShapeError)) throw error;
        found.unreadable.push(
          value.Records.length > 1 ? `S3 record ${index}: ${error.message}` : error.message,
        );
      }
    }
    return;
  }
  throw new EventShapeError(
    `unknown event shape (keys: ${Object.keys(value).slice(0, 8).join(', ')}); expected ${EXPECTED}`,
  );
}

function item(recordId: string, work: (found: Found) => void): EventItem {
  const found: Found = { objects: [], ignored: [], unreadable: [] };
  try {
    work(found);
  } catch (error) {
    return { recordId, objects: [], ignored: [], error: error as Error };
  }
  const { objects, ignored, unreadable } = found;
  if (unreadable.length === 0) return { recordId, objects, ignored };
  return { recordId, objects, ignored, error: new EventShapeError(unreadable.join('; ')) };
}

/**
 * Reduces an event to one item per record (per SQS message, S3 record or SNS record), so that one
 * unreadable message fails alone. Throws only when the event as a whole has no known shape.
 */
export function parseEvent(event: unknown): EventItem[] {
  if (!isObject(event)) throw new EventShapeError(`expected a JSON object: ${EXPECTED}`);
  if (!Array.isArray(event.Records) || event.Records.length === 0) {
    return [item('0', (found) => fromMessage(event, found, 0))];
  }
  return event.Records.map((record, index) => {
    if (!isObject(record)) return item(String(index), (found) => fromMessage(record, found, 0));
    if (record.eventSource === 'aws:sqs') {
      const recordId = typeof record.messageId === 'string' ? record.messageId : String(index);
      return item(recordId, (found) =>
        fromMessage(parseJson(text(record.body, 'SQS body'), 'SQS body'), found, 1),
      );
    }
    if (record.EventSource === 'aws:sns') {
      const sns = isObject(record.Sns) ? record.Sns : {};
      return item(String(index), (found) =>
        fromMessage(parseJson(text(sns.Message, 'Sns.Message'), 'SNS Message'), found, 1),
      );
    }
    if (record.eventSource === 'aws:s3') return item(String(index), (found) => fromS3Record(record, found));
    return item(String(index), () => {
      throw new EventShapeError(
        `record ${index} has eventSource "${String(record.eventSource ?? record.EventSource)}"; expected aws:s3, aws:sqs or aws:sns`,
      );
    });
  });
}
