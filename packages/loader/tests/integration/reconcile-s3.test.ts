// An S3 prefix as a backfill source against a real S3 API server (s3rver): paginated listing under
// the folder only, HeadObject for the objects in doubt, and a backfill into DuckDB.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loader } from '../../src/load.js';
import { backfill, reconcile } from '../../src/reconcile/reconcile.js';
import { s3Listing } from '../../src/reconcile/s3-listing.js';
import { createS3Client } from '../../src/sources/s3-client.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';

let server: S3Server;
let client: S3Client;
let dir: string;

async function parquet(from: number): Promise<Buffer> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const path = join(dir, `${from}.parquet`);
  await connection.run(
    `COPY (SELECT i AS event_id, 'e' || i AS name FROM range(${from}, ${from + 10}) t(i)) TO '${path}' (FORMAT parquet)`,
  );
  connection.closeSync();
  db.closeSync();
  return readFile(path);
}

beforeAll(async () => {
  server = await startS3Server(['lake']);
  client = createS3Client({ endpoint: server.endpoint, credentials: server.credentials });
  dir = await mkdtemp(join(tmpdir(), 'lakeload-reconcile-s3-'));
  for (let file = 0; file < 5; file++) {
    await client.send(
      new PutObjectCommand({
        Bucket: 'lake',
        Key: `landing/events/${file}.parquet`,
        Body: await parquet(file * 10),
      }),
    );
  }
  // A neighbour folder whose name starts like the prefix: never part of `s3://lake/landing`.
  await client.send(
    new PutObjectCommand({ Bucket: 'lake', Key: 'landing-old/events/x.parquet', Body: await parquet(100) }),
  );
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('s3Listing', () => {
  it('lists the folder page by page, backfills it into DuckDB, and sees a deleted object as gone', async () => {
    const listing = s3Listing(client, 's3://lake/landing', { pageSize: 2 });
    expect(listing.uriPrefix).toBe('s3://lake/landing/');
    const driver = await duckdbWarehouse({ path: join(dir, 'w.duckdb') });
    try {
      const loader = new Loader({ driver, tables: { events: { keys: ['event_id'], contract: 'evolve' } } });
      const first = await reconcile(driver, listing);
      expect(first).toMatchObject({ listed: 5, loaded: 0 });
      expect(first.notLoaded).toHaveLength(5);
      const listPages = (await server.requests()).filter(
        (request) => request.method === 'GET' && request.url.includes('list-type=2'),
      );
      expect(listPages.length).toBeGreaterThanOrEqual(3);
      const heads = (await server.requests()).filter((request) => request.method === 'HEAD');
      expect(heads).toHaveLength(5);

      const filled = await backfill(loader, driver, listing);
      expect(filled).toMatchObject({ listed: 5, loaded: 5, failed: 0 });
      expect(await driver.query('SELECT count(*) AS n FROM events')).toEqual([{ n: '50' }]);

      await client.send(new DeleteObjectCommand({ Bucket: 'lake', Key: 'landing/events/4.parquet' }));
      const after = await reconcile(driver, listing);
      expect(after).toMatchObject({ listed: 4, loaded: 4, notLoaded: [], failed: [] });
      expect(after.gone).toEqual([
        { uri: 's3://lake/landing/events/4.parquet', identities: [expect.any(String)] },
      ]);
      expect(
        await listing.current?.({
          bucket: 'lake',
          key: 'landing/events/4.parquet',
          size: 1,
          etag: 'x',
          eventTime: '',
        }),
      ).toBeUndefined();
    } finally {
      await driver.close();
    }
  });
});
