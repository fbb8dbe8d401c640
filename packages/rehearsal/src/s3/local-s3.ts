// A local S3 API server: s3rver in this process, on a free port over a temporary folder, behind a
// thin HTTP front that (1) answers suffix ranges (`bytes=-N`) correctly — s3rver reads them as
// `bytes=0-N` and returns the first N+1 bytes — and (2) turns s3rver's own events into real-shaped
// S3 notifications for the subscribers (a LocalQueue, usually).
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unquoteEtag } from '@lakeload/commons';
import S3rver from 's3rver';
import { RehearsalError } from '../errors.js';
import { httpS3Objects, type S3Objects } from '../redshift-data/s3-objects.js';
import { type ObjectEvent, type S3Notification, Sequencer, s3Notification, s3TestEvent } from './events.js';

/** Credentials s3rver knows; the SDK's signatures are accepted even when they do not match. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface NotificationFilter {
  /** Only keys starting with this (S3's filter rule `prefix`). */
  prefix?: string;
  /** Only keys ending with this (S3's filter rule `suffix`), e.g. `.parquet`. */
  suffix?: string;
  /** Event names to send (default: every `ObjectCreated:*`). */
  events?: readonly string[];
}

export interface LocalS3Options {
  /** Buckets created at start. */
  buckets?: readonly string[];
  /** Storage folder (default: a temporary folder removed on close). */
  directory?: string;
  region?: string;
  host?: string;
  port?: number;
}

export interface LocalS3 {
  /** http://127.0.0.1:<port>, the value for AWS_ENDPOINT_URL_S3 (path-style requests). */
  url: string;
  region: string;
  /** Unsigned reads (head, list, download) for the Data API endpoint's COPY. */
  objects: S3Objects;
  /**
   * Sends real-shaped notifications of `bucket` to `deliver` (e.g. `(body) => queue.send(body)`),
   * starting with the s3:TestEvent S3 sends when a configuration is saved. Returns an unsubscribe.
   */
  notify(bucket: string, deliver: (body: string) => void, filter?: NotificationFilter): () => void;
  /** Resolves when every event of the requests answered so far has been delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

interface Subscription {
  bucket: string;
  deliver: (body: string) => void;
  filter: NotificationFilter;
}

function matches(event: ObjectEvent, subscription: Subscription): boolean {
  const { prefix, suffix, events } = subscription.filter;
  if (event.bucket !== subscription.bucket) return false;
  if (prefix && !event.key.startsWith(prefix)) return false;
  if (suffix && !event.key.endsWith(suffix)) return false;
  return events ? events.includes(event.eventName) : event.eventName.startsWith('ObjectCreated:');
}

/** Bucket and key of a path-style request (`/bucket/key…`), decoded. */
function pathStyle(request: IncomingMessage): { bucket: string; key: string } | undefined {
  const path = (request.url ?? '').split('?')[0] ?? '';
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match) return undefined;
  try {
    return { bucket: decodeURIComponent(match[1] as string), key: decodeURIComponent(match[2] as string) };
  } catch {
    return undefined;
  }
}

/**
 * The payload of an `aws-chunked` body (the SDK's default for uploads with checksums: each chunk
 * `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n`, a zero-size chunk, then trailers). s3rver
 * would store the framing as the object's bytes.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) throw new RehearsalError('malformed aws-chunked body: a chunk header has no end');
    const size = Number.parseInt(body.toString('latin1', at, lineEnd).split(';')[0] ?? '', 16);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new RehearsalError('malformed aws-chunked body: bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function isAwsChunked(request: IncomingMessage): boolean {
  const sha = String(request.headers['x-amz-content-sha256'] ?? '');
  const encoding = String(request.headers['content-encoding'] ?? '');
  return sha.startsWith('STREAMING-') || encoding.split(',').some((part) => part.trim() === 'aws-chunked');
}

/** The same request with the decoded payload as its body, for s3rver to store. */
async function dechunked(request: IncomingMessage): Promise<IncomingMessage> {
  // Read with listeners: an async iterator would destroy the request, and with it the socket.
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
  const payload = decodeAwsChunked(body);
  const copy = new IncomingMessage(request.socket);
  // Its bytes are all here: reading must not touch the socket, which belongs to the real request.
  copy._read = () => {};
  // A message not marked complete destroys its socket when it is destroyed after its end.
  copy.complete = true;
  copy.method = request.method ?? 'PUT';
  copy.url = request.url ?? '/';
  copy.httpVersion = request.httpVersion;
  const headers = { ...request.headers };
  const encodings = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked');
  if (encodings.length > 0) headers['content-encoding'] = encodings.join(', ');
  else delete headers['content-encoding'];
  delete headers['transfer-encoding'];
  delete headers['x-amz-decoded-content-length'];
  delete headers['x-amz-trailer'];
  headers['content-length'] = String(payload.length);
  headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  copy.headers = headers;
  copy.push(payload);
  copy.push(null);
  return copy;
}

/**
 * Writes `content` under a temporary name beside `path` and renames it into place once every byte
 * is on disk: its size and MD5. A reader sees the previous file or this one whole, never a part.
 */
async function writeWhole(
  content: NodeJS.ReadableStream | Buffer,
  path: string,
): Promise<{ size: number; md5: string }> {
  await mkdir(dirname(path), { recursive: true });
  const hash = createHash('md5');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  // No listing sees it: s3rver lists only names ending in its object suffix.
  const partial = `${path}.${randomUUID()}.partial`;
  try {
    await pipeline(
      Buffer.isBuffer(content) ? Readable.from([content]) : content,
      count,
      createWriteStream(partial),
    );
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { size, md5: hash.digest('hex') };
}

/**
 * s3rver 3.7.1 answers a PUT (and an UploadPart) when its hashing stage has passed the last byte,
 * not when its file stream has written it, and it overwrites an object in place (truncate, then
 * write). A HEAD or GET right after the answer could find a short file under load (a size that
 * differs from the event's: the load skipped as "replaced"), and a download running during an
 * overwrite ended early (the client's "aborted"). S3 answers a PUT once the object is stored and
 * replaces it whole, so these two writes do both.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel
 */
function storeWholeObjects(store: S3rver['store']): void {
  store.putObject = async (object) => {
    const written = await writeWhole(
      object.content,
      store.getResourcePath(object.bucket, object.key, 'object'),
    );
    await store.putMetadata(object.bucket, object.key, object.metadata, written.md5);
    return written;
  };
  store.putPart = (bucket, uploadId, partNumber, content) =>
    writeWhole(
      content,
      join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber)),
    );
}

/** Starts s3rver in this process on 127.0.0.1 and a free port. */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'lakeload-s3-')));
  const region = options.region ?? 'us-east-1';
  const s3rver = new S3rver({
    directory,
    silent: true,
    allowMismatchedSignatures: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  storeWholeObjects(s3rver.store);
  await s3rver.configureBuckets();
  const subscriptions = new Set<Subscription>();
  const sequencer = new Sequencer();
  // s3rver names a completed multipart upload "ObjectCreated:Post"; S3 says CompleteMultipartUpload.
  const completing = new Set<string>();
  const lookups = new Set<Promise<void>>();

  const publish = (event: ObjectEvent) => {
    const body = JSON.stringify(
      s3Notification(event, {
        region,
        configurationId: 'lakeload-rehearsal',
        sequencer,
      }) satisfies S3Notification,
    );
    for (const subscription of subscriptions) if (matches(event, subscription)) subscription.deliver(body);
  };
  s3rver.on('event', (raw) => {
    const record = raw.Records[0];
    if (!record) return;
    const id = `${record.s3.bucket.name}/${record.s3.object.key}`;
    const multipart = record.eventName === 'ObjectCreated:Post' && completing.delete(id);
    const event: ObjectEvent = {
      eventName: multipart ? 'ObjectCreated:CompleteMultipartUpload' : record.eventName,
      bucket: record.s3.bucket.name,
      key: record.s3.object.key,
      sourceIp: record.requestParameters.sourceIPAddress.replace(/^::ffff:/, ''),
    };
    if (record.eventName.startsWith('ObjectRemoved:')) {
      publish(event);
      return;
    }
    if (record.s3.object.eTag !== undefined && record.s3.object.size !== undefined) {
      publish({ ...event, etag: record.s3.object.eTag, size: Number(record.s3.object.size) });
      return;
    }
    // s3rver's copy events carry no eTag: read it from the stored object, as S3 would send it.
    const lookup = s3rver.store.getMetadata(event.bucket, event.key).then(
      (metadata) =>
        publish({
          ...event,
          etag: unquoteEtag(String(metadata.etag)),
          size: Number(metadata['content-length']),
        }),
      () => {},
    );
    lookups.add(lookup);
    void lookup.finally(() => lookups.delete(lookup));
  });

  const handle = s3rver.callback();
  const server = createServer((request, response) => {
    if (request.method === 'PUT' && isAwsChunked(request)) {
      void dechunked(request).then(
        (decoded) => handle(decoded, response),
        (error: unknown) => {
          response.writeHead(400, { 'content-type': 'application/xml' });
          response.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRequest</Code><Message>${String(error)}</Message></Error>`,
          );
        },
      );
      return;
    }
    if (request.method === 'POST' && /[?&]uploadId=/.test(request.url ?? '')) {
      const target = pathStyle(request);
      if (target) completing.add(`${target.bucket}/${target.key}`);
    }
    const suffix = /^bytes=-(\d+)$/.exec(String(request.headers.range ?? ''));
    const target = suffix && request.method === 'GET' ? pathStyle(request) : undefined;
    if (!suffix || !target) {
      handle(request, response);
      return;
    }
    void s3rver.store.getMetadata(target.bucket, target.key).then(
      (metadata) => {
        const size = Number(metadata['content-length']);
        const length = Math.min(Number(suffix[1]), size);
        if (length > 0) request.headers.range = `bytes=${size - length}-${size - 1}`;
        handle(request, response);
      },
      () => handle(request, response),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch((error: unknown) => {
    throw new RehearsalError(`cannot start the local S3 API server: ${String(error)}`, { cause: error });
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address}:${port}`;
  return {
    url,
    region,
    objects: httpS3Objects(url),
    notify(bucket, deliver, filter = {}) {
      const subscription = { bucket, deliver, filter };
      subscriptions.add(subscription);
      deliver(JSON.stringify(s3TestEvent(bucket)));
      return () => subscriptions.delete(subscription);
    },
    async settled() {
      while (lookups.size > 0) await Promise.allSettled([...lookups]);
    },
    async close() {
      subscriptions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
