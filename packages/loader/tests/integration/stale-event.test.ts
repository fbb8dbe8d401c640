// Events that outlive their object, and S3 failures' own tips, through a real S3 API server
// (s3rver), the real SDK client and DuckDB.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import type { LoadEvent, Notifier } from '../../src/notify/notifier.js';
import { createS3Client } from '../../src/sources/s3-client.js';
import { headS3Object } from '../../src/sources/s3-list.js';
import { s3Store } from '../../src/sources/s3-store.js';
import type { ObjectStore } from '../../src/sources/store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { openWarehouse } from '../../src/warehouse/registry.js';

let server: S3Server;
let client: S3Client;
let dir: string;
/** Two versions of one file: the same keys, version 1 and version 2. */
const versions: Buffer[] = [];

let driver: Driver;
let events: LoadEvent[];
let loader: Loader;

beforeAll(async () => {
  server = await startS3Server(['lake']);
  client = createS3Client({ endpoint: server.endpoint, credentials: server.credentials });
  dir = await mkdtemp(join(tmpdir(), 'lakeload-stale-'));
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  for (const version of [1, 2]) {
    const path = join(dir, `v${version}.parquet`);
    await connection.run(
      `COPY (SELECT i AS order_id, 'v${version}' AS status, TIMESTAMPTZ '2025-11-13 00:00:00+00' + INTERVAL (${version}) HOUR AS updated_at FROM range(3) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    versions.push(await readFile(path));
  }
  connection.closeSync();
  db.closeSync();
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  driver = await openWarehouse('duckdb::memory:');
  events = [];
  const recorder: Notifier = { notify: async (event) => void events.push(event) };
  loader = new Loader({ driver, notifiers: [recorder] });
});
afterEach(async () => {
  await driver.close();
});

async function put(key: string, body: Buffer): Promise<ObjectRef> {
  await client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
  return headS3Object(client, 'lake', key);
}

/** GET requests the server received for one key. */
async function gets(key: string): Promise<number> {
  return (await server.requests()).filter(
    (request) => request.method === 'GET' && request.url.startsWith(`/lake/${key}`),
  ).length;
}

async function ledger(): Promise<Record<string, unknown>[]> {
  return driver.query(
    'SELECT object_identity, status, rows_inserted FROM lakeload_load_history ORDER BY recorded_at',
  );
}

const superseded =
  /^a newer version of the object superseded this event \(.*ETag.*\); its own event loads it/;

describe('an event whose object was overwritten before it was handled', () => {
  it('is skipped when the footer read finds another ETag, and the newer event loads the newer bytes', async () => {
    const key = 'order_summary/part-1.parquet';
    const older = await put(key, versions[0] as Buffer);
    const newer = await put(key, versions[1] as Buffer);
    expect(newer.etag).not.toBe(older.etag);

    const results = await loader.loadObjects([older, newer], s3Store(client));
    expect(results).toEqual([
      {
        uri: `s3://lake/${key}`,
        status: 'skipped',
        reason: expect.stringMatching(superseded),
        durationMs: expect.any(Number),
      },
      expect.objectContaining({ status: 'loaded', table: 'order_summary', inserted: 3 }),
    ]);
    expect(events.filter((event) => event.type !== 'received').map((event) => event.type)).toEqual([
      'skipped',
      'loaded',
    ]);
    // No dead letter, no failed ledger row: nothing needs replaying.
    expect(await loader.deadLetters()).toEqual([]);
    expect(await ledger()).toEqual([{ object_identity: newer.etag, status: 'loaded', rows_inserted: '3' }]);
    expect(await driver.query('SELECT DISTINCT status FROM order_summary')).toEqual([{ status: 'v2' }]);
  });

  it('is skipped, not retried, when the object is replaced between the footer read and the download', async () => {
    const key = 'order_summary/part-2.parquet';
    const older = await put(key, versions[0] as Buffer);
    const real = s3Store(client, { tempDir: dir });
    let downloads = 0;
    const replacing: ObjectStore = {
      open: (ref) => real.open(ref),
      localFile: async (ref) => {
        downloads++;
        await put(key, versions[1] as Buffer);
        return real.localFile(ref);
      },
    };
    const before = await gets(key);

    const [result] = await loader.loadObjects([older], replacing);
    expect(result).toMatchObject({ status: 'skipped', reason: expect.stringMatching(superseded) });
    expect(downloads).toBe(1);
    // The footer read and one download: the replaced object is not asked for again.
    const footerReads = 1;
    expect((await gets(key)) - before).toBe(footerReads + 1);
    expect(await loader.deadLetters()).toEqual([]);
    expect(await ledger()).toEqual([]);
  });
});

describe("S3 failures' tips", () => {
  it("reports and dead-letters a missing object with the store error's own tip", async () => {
    const missing: ObjectRef = {
      bucket: 'lake',
      key: 'order_summary/missing.parquet',
      size: 1000,
      etag: 'gone',
      eventTime: '2025-11-13T00:00:00Z',
    };
    const [result] = await loader.loadObjects([missing], s3Store(client));
    const tip =
      'Check the key (keys are case-sensitive; list the prefix with `aws s3 ls`); if it was deleted, there is nothing to load.';
    expect(result).toMatchObject({ status: 'failed', retryable: false, tip });
    expect(await driver.query('SELECT tip FROM lakeload_dead_letters')).toEqual([{ tip }]);
    expect(events.at(-1)).toMatchObject({ type: 'failed', tip });
  });
});
