// S3 event notifications in the shape real S3 sends them. s3rver emits its own events with the key
// as stored (not URL-encoded), eventVersion 2.0, a decimal-millisecond sequencer and no eTag for
// copies; real S3 encodes the key form style (a space is `+`, `=` is `%3D`), keeps `/`, sends a hex
// sequencer that grows per key, and sets versionId only in a versioned bucket.
import { randomBytes, randomUUID } from 'node:crypto';

/** One record of a real-shaped S3 notification. */
export interface S3EventRecord {
  eventVersion: string;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

export interface S3Notification {
  Records: S3EventRecord[];
}

/** What happened to which object, as the local server saw it (the key as stored, unencoded). */
export interface ObjectEvent {
  eventName: string;
  bucket: string;
  key: string;
  size?: number;
  /** Without quotes. */
  etag?: string;
  versionId?: string;
  sourceIp?: string;
}

/**
 * A key as S3 notifications carry it: URL-encoded form style, each `/`-separated part on its own
 * (`year=2025/my file.parquet` → `year%3D2025/my+file.parquet`).
 */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((part) =>
      encodeURIComponent(part)
        .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replaceAll('%20', '+'),
    )
    .join('/');
}

const upperHex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();

/** Sequencers that grow with every event, as hex strings of one width (S3's are per key). */
export class Sequencer {
  #last = 0n;

  next(): string {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.#last = now > this.#last ? now : this.#last + 1n;
    return this.#last.toString(16).toUpperCase().padStart(18, '0');
  }
}

export interface NotificationSettings {
  region: string;
  configurationId: string;
  sequencer: Sequencer;
}

/** A real-shaped notification for one object event. */
export function s3Notification(event: ObjectEvent, settings: NotificationSettings): S3Notification {
  const object: S3EventRecord['s3']['object'] = {
    key: encodeEventKey(event.key),
    sequencer: settings.sequencer.next(),
  };
  if (event.size !== undefined) object.size = event.size;
  if (event.etag !== undefined) object.eTag = event.etag;
  if (event.versionId !== undefined) object.versionId = event.versionId;
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: settings.region,
        eventTime: new Date().toISOString(),
        eventName: event.eventName,
        userIdentity: { principalId: `AWS:AIDA${upperHex(8)}` },
        requestParameters: { sourceIPAddress: event.sourceIp ?? '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': upperHex(8),
          'x-amz-id-2': randomBytes(48).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: settings.configurationId,
          bucket: {
            name: event.bucket,
            ownerIdentity: { principalId: upperHex(7) },
            arn: `arn:aws:s3:::${event.bucket}`,
          },
          object,
        },
      },
    ],
  };
}

/** What S3 sends once when a notification configuration is saved: no Records. */
export function s3TestEvent(bucket: string): Record<string, string> {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucket,
    RequestId: upperHex(8),
    HostId: randomUUID(),
  };
}
