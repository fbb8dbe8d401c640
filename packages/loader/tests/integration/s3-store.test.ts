// The S3 source against a real S3 API server (s3rver) with the real SDK client: the client's
// endpoint handling, ranged footer reads, downloads, listings and error mapping.
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import { readParquetSchema } from '../../src/schema/parquet.js';
import {
  createS3Client,
  mapS3Error,
  ObjectAccessDeniedError,
  ObjectChangedError,
  ObjectNotFoundError,
  ObjectStoreUnavailableError,
} from '../../src/sources/s3-client.js';
import { headS3Object, listS3Objects, parseS3Uri, resolveS3Uri } from '../../src/sources/s3-list.js';
import { s3Store } from '../../src/sources/s3-store.js';
import { openWarehouse } from '../../src/warehouse/registry.js';

let server: S3Server;
let client: S3Client;
let dir: string;
let parquet: Buffer;
const KEY = 'year=2025/month=11/day=13/order_items/order items = 1.parquet';

beforeAll(async () => {
  server = await startS3Server(['lake']);
  client = createS3Client({ endpoint: server.endpoint, credentials: server.credentials });
  dir = await mkdtemp(join(tmpdir(), 'lakeload-s3-store-'));
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const path = join(dir, 'items.parquet');
  // Large enough that the footer is a small tail of the file.
  await connection.run(
    `COPY (SELECT i AS order_id, i % 7 AS line_number, 'product ' || i AS product, now()::TIMESTAMP AS updated_at
      FROM range(20000) t(i)) TO '${path}' (FORMAT parquet)`,
  );
  connection.closeSync();
  db.closeSync();
  parquet = await readFile(path);
  await client.send(new PutObjectCommand({ Bucket: 'lake', Key: KEY, Body: parquet }));
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('createS3Client', () => {
  it('reaches the server named by AWS_ENDPOINT_URL_S3 alone, with path-style URLs', async () => {
    const env = server.env;
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    const fromEnv = createS3Client();
    try {
      expect(await fromEnv.config.forcePathStyle).toBe(true);
      const ref = await headS3Object(fromEnv, 'lake', KEY);
      expect(ref.size).toBe(parquet.length);
      const heads = (await server.requests()).filter((request) => request.method === 'HEAD');
      // Path style: the bucket is in the path, not in the host name.
      expect(heads.at(-1)?.url).toBe(`/lake/${encodeURIComponent(KEY).replace(/%2F/g, '/')}`);
      expect(heads.at(-1)?.headers.host).toBe(new URL(server.endpoint).host);
    } finally {
      fromEnv.destroy();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('streams a body to a local server intact (no aws-chunked framing stored with it)', async () => {
    const path = join(dir, 'items.parquet');
    await client.send(
      new PutObjectCommand({
        Bucket: 'lake',
        Key: 'streamed.parquet',
        Body: createReadStream(path),
        ContentLength: parquet.length,
      }),
    );
    const file = await s3Store(client).localFile(await headS3Object(client, 'lake', 'streamed.parquet'));
    expect(await readFile(file.path)).toEqual(parquet);
    await file.release();
  });

  it('uses virtual-hosted URLs when no endpoint is configured', async () => {
    const plain = createS3Client({ region: 'eu-west-1', env: {} });
    expect(await plain.config.forcePathStyle).toBe(false);
    plain.destroy();
  });
});

describe('s3Store', () => {
  it('reads the Parquet footer with explicit byte ranges only', async () => {
    const ref = await headS3Object(client, 'lake', KEY);
    const before = (await server.requests()).length;
    const source = await s3Store(client).open(ref);
    const schema = await readParquetSchema(source);
    await source.close();
    expect(schema.rows).toBe(20000);
    expect(schema.columns.map((column) => column.name)).toEqual([
      'order_id',
      'line_number',
      'product',
      'updated_at',
    ]);
    const gets = (await server.requests()).slice(before).filter((request) => request.method === 'GET');
    expect(gets.length).toBeGreaterThanOrEqual(1);
    for (const get of gets) {
      const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(get.headers.range ?? '') ?? [];
      expect(get.headers.range).toMatch(/^bytes=\d+-\d+$/);
      expect(Number(end)).toBe(parquet.length - 1);
      expect(Number(end) - Number(start) + 1).toBeLessThan(parquet.length);
      expect(get.headers['if-match']).toBe(`"${ref.etag}"`);
    }
  });

  it('downloads to a temporary file with the same bytes, removed on release', async () => {
    const ref = await headS3Object(client, 'lake', KEY);
    const file = await s3Store(client).localFile(ref);
    expect(await readFile(file.path)).toEqual(parquet);
    await file.release();
    expect(existsSync(file.path)).toBe(false);
  });

  it('refuses an object replaced since its reference was taken', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'replaced.parquet', Body: 'first' }));
    const ref = await headS3Object(client, 'lake', 'replaced.parquet');
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'replaced.parquet', Body: 'other' }));
    const store = s3Store(client, { tempDir: dir });
    await expect(store.localFile(ref)).rejects.toBeInstanceOf(ObjectChangedError);
    const source = await store.open(ref);
    await expect(source.read(0, 3)).rejects.toThrow(/replaced/);
  });

  it('refuses a reference whose size is larger than the object', async () => {
    const ref = await headS3Object(client, 'lake', KEY);
    const source = await s3Store(client).open({ ...ref, size: ref.size + 10 });
    await expect(source.read(ref.size - 5, 10)).rejects.toThrow(/got 5 bytes: the object is smaller/);
    await expect(s3Store(client).localFile({ ...ref, size: ref.size + 10 })).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
  });

  it('maps a missing key and a missing bucket to permanent errors with a tip', async () => {
    const missing: ObjectRef = { bucket: 'lake', key: 'nope.parquet', size: 10, etag: 'x', eventTime: '' };
    const error = await s3Store(client)
      .localFile(missing)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectNotFoundError);
    expect(error).toMatchObject({ retryable: false, uri: 's3://lake/nope.parquet' });
    expect((error as Error).message).toMatch(/NoSuchKey.*Check the key/);

    const noBucket = await resolveS3Uri(client, 's3://no-such-bucket/a.parquet').catch((e: unknown) => e);
    expect(noBucket).toBeInstanceOf(ObjectNotFoundError);
    expect((noBucket as Error).message).toMatch(
      /bucket "no-such-bucket" does not exist.*Check the bucket name/,
    );
  });
});

describe('mapS3Error', () => {
  it('calls 5xx, throttling and network failures retryable, access denied permanent', () => {
    const service = (name: string, status: number) =>
      Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: status } });
    expect(mapS3Error(service('SlowDown', 503), 'b', 'k')).toBeInstanceOf(ObjectStoreUnavailableError);
    expect(mapS3Error(service('SlowDown', 503), 'b', 'k')).toMatchObject({ retryable: true });
    expect(
      mapS3Error(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'b'),
    ).toMatchObject({
      retryable: true,
    });
    const denied = mapS3Error(service('AccessDenied', 403), 'b', 'k');
    expect(denied).toBeInstanceOf(ObjectAccessDeniedError);
    expect(denied).toMatchObject({ retryable: false });
    expect(denied.message).toMatch(/s3:GetObject/);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(mapS3Error(abort, 'b')).toBe(abort);
  });

  it('names the missing setting when the SDK has no region or no credentials', async () => {
    const names = [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_PROFILE',
    ];
    const isolated = {
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const saved = Object.fromEntries(
      [...names, ...Object.keys(isolated)].map((name) => [name, process.env[name]]),
    );
    for (const name of names) delete process.env[name];
    Object.assign(process.env, isolated);
    try {
      // A plain SDK client (createS3Client gives local endpoints a region): the SDK's chain finds none.
      const noRegion = new S3Client({
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: server.credentials,
      });
      const regionError = await headS3Object(noRegion, 'lake', KEY).catch((e: unknown) => e);
      noRegion.destroy();
      expect((regionError as Error).message).toMatch(/no AWS region is configured\. Set AWS_REGION/);
      const noCredentials = createS3Client({ endpoint: server.endpoint });
      const credentialsError = await headS3Object(noCredentials, 'lake', KEY).catch((e: unknown) => e);
      noCredentials.destroy();
      expect(credentialsError).toBeInstanceOf(ObjectAccessDeniedError);
      expect((credentialsError as Error).message).toMatch(/no AWS credentials.*AWS_PROFILE/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('calls a server that is not there retryable', async () => {
    const nowhere = createS3Client({ endpoint: 'http://127.0.0.1:9', credentials: server.credentials });
    const error = await headS3Object(nowhere, 'lake', KEY).catch((e: unknown) => e);
    nowhere.destroy();
    expect(error).toBeInstanceOf(ObjectStoreUnavailableError);
    expect(error).toMatchObject({ retryable: true });
  });
});

describe('listing', () => {
  it('pages through a prefix in key order with references S3 describes', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'paged' }));
    const keys = Array.from({ length: 7 }, (_, i) => `p/day=${i}/order_items/f ${i}.parquet`);
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: 'paged', Key: key, Body: key }));
    await client.send(new PutObjectCommand({ Bucket: 'paged', Key: 'other/x.parquet', Body: 'x' }));
    const before = (await server.requests()).length;
    const refs: ObjectRef[] = [];
    for await (const ref of listS3Objects(client, 'paged', 'p/', { pageSize: 2 })) refs.push(ref);
    expect(refs.map((ref) => ref.key)).toEqual(keys);
    const lists = (await server.requests())
      .slice(before)
      .filter((request) => request.url.includes('list-type=2'));
    expect(lists).toHaveLength(4);
    expect(lists.filter((request) => request.url.includes('continuation-token='))).toHaveLength(3);
    const first = refs[0];
    expect(first).toMatchObject({ bucket: 'paged', size: Buffer.byteLength(keys[0] ?? '') });
    expect(first?.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(first?.eventTime ?? '')).toBeGreaterThan(Date.parse('2020-01-01'));
  });

  it('resolves an object, a folder without its slash, and a prefix', async () => {
    expect(await resolveS3Uri(client, `s3://lake/${KEY}`)).toHaveLength(1);
    expect((await resolveS3Uri(client, 's3://paged/p/day=3', { pageSize: 2 })).map((ref) => ref.key)).toEqual(
      ['p/day=3/order_items/f 3.parquet'],
    );
    expect(await resolveS3Uri(client, 's3://paged/', { pageSize: 3 })).toHaveLength(8);
    await expect(resolveS3Uri(client, 's3://paged/missing/')).rejects.toThrow(/no objects under this prefix/);
    expect(parseS3Uri('s3://b/a b=1/x.parquet')).toEqual({ bucket: 'b', key: 'a b=1/x.parquet' });
    expect(() => parseS3Uri('s3:/b')).toThrow(/not an S3 URI/);
  });
});

describe('Loader.loadObjects over S3', () => {
  it('loads what a prefix lists, exactly once, and leaves no temporary copy', async () => {
    const driver = await openWarehouse('duckdb::memory:');
    try {
      const loader = new Loader({ driver });
      const temp = await mkdtemp(join(dir, 'copies-'));
      const store = s3Store(client, { tempDir: temp });
      const refs = await resolveS3Uri(client, 's3://lake/year=2025/');
      expect(refs.map((ref) => ref.key)).toEqual([KEY]);
      expect(await loader.loadObjects(refs, store)).toEqual([
        expect.objectContaining({
          uri: `s3://lake/${KEY}`,
          status: 'loaded',
          table: 'order_items',
          inserted: 20000,
        }),
      ]);
      expect(await loader.loadObjects(refs, store)).toEqual([
        expect.objectContaining({ status: 'duplicate' }),
      ]);
      expect(await driver.query('SELECT count(*) AS n FROM order_items')).toEqual([{ n: '20000' }]);
      expect(await readdir(temp)).toEqual([]);
    } finally {
      await driver.close();
    }
  });
});
