// Live: Parquet files uploaded to a real bucket, loaded by the real Loader into a real Redshift
// Serverless workgroup through the Data API, read back, then everything removed. Enabled only by
// the separate config (vitest.live.config.ts); without its variables every test fails, naming them.
//
// Creates: objects under s3://$LAKELOAD_LIVE_BUCKET/lakeload-live/<run>/ (data files and COPY
// manifests), a table live_orders_<run>, rows in lakeload_load_history and lakeload_dead_letters
// (created if missing). Deletes all of them at the end, the ledger rows by their object URIs.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import { createS3Client } from '../../src/sources/s3-client.js';
import { s3Store } from '../../src/sources/s3-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { openWarehouse } from '../../src/warehouse/url.js';

const REQUIRED = {
  LAKELOAD_LIVE_WAREHOUSE_URL: 'redshift-data://workgroup/<name>/<database>[?secret-arn=…]',
  LAKELOAD_LIVE_BUCKET: 'a bucket in the workgroup’s region that the COPY role can read',
  LAKELOAD_LIVE_COPY_ROLE_ARN: "the role COPY assumes (or 'default')",
};
const missing = Object.keys(REQUIRED).filter((name) => !process.env[name]);

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const table = `live_orders_${run}`;
const bucket = process.env.LAKELOAD_LIVE_BUCKET ?? '';
const prefix = `lakeload-live/${run}/`;
let s3: S3Client;
let driver: Driver;
let scratch: string;

async function parquet(name: string, select: string): Promise<ObjectRef> {
  const path = join(scratch, `${name}.parquet`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  const key = `${prefix}${table}/${name}.parquet`;
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(path) }));
  return {
    bucket,
    key,
    size: (await stat(path)).size,
    etag: (put.ETag ?? '').replaceAll('"', ''),
    eventTime: new Date().toISOString(),
  };
}

/** Fails the test, naming what is missing: a live suite that cannot run must not look passed. */
function requireEnvironment(): void {
  if (missing.length > 0) {
    throw new Error(
      `the live Redshift suite needs ${missing.map((name) => `${name} (${REQUIRED[name as keyof typeof REQUIRED]})`).join(', ')}, plus AWS credentials and AWS_REGION; see "Live tests" in packages/loader/README.md`,
    );
  }
}

beforeAll(async () => {
  if (missing.length > 0) return;
  scratch = await mkdtemp(join(tmpdir(), 'lakeload-live-'));
  s3 = createS3Client();
  const base = String(process.env.LAKELOAD_LIVE_WAREHOUSE_URL);
  const manifests = encodeURIComponent(`s3://${bucket}/${prefix}manifests/`);
  const role = encodeURIComponent(String(process.env.LAKELOAD_LIVE_COPY_ROLE_ARN));
  driver = await openWarehouse(
    `${base}${base.includes('?') ? '&' : '?'}manifest-prefix=${manifests}&copy-role-arn=${role}`,
  );
});

afterAll(async () => {
  if (missing.length > 0) return;
  const c = driver.compiler;
  const like = c.quoteLiteral(`s3://${bucket}/${prefix}%`);
  await driver.runDdl([
    `DROP TABLE IF EXISTS ${c.quoteIdentifier(table)}`,
    `DELETE FROM lakeload_load_history WHERE object_uri LIKE ${like}`,
    `DELETE FROM lakeload_dead_letters WHERE object_uri LIKE ${like}`,
  ]);
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? [])
      if (object.Key) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
    token = page.NextContinuationToken;
  } while (token);
  await driver.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('live Redshift Serverless', () => {
  it('loads a micro-batch with a versioned upsert, exactly once, and refuses a bad file alone', async () => {
    requireEnvironment();
    const loader = new Loader({
      driver,
      tables: { [table]: { keys: ['order_id'], version: 'updated_at', contract: 'evolve' } },
    });
    const first = await parquet(
      'part-1',
      "SELECT * FROM (VALUES (1::BIGINT, TIMESTAMPTZ '2026-12-01 10:00:00+00', 'placed', {'sku': 'a', 'qty': 1}), (2, TIMESTAMPTZ '2026-12-01 10:00:00+00', 'placed', {'sku': 'b', 'qty': 2})) AS t(order_id, updated_at, status, line)",
    );
    const second = await parquet(
      'part-2',
      "SELECT * FROM (VALUES (1::BIGINT, TIMESTAMPTZ '2026-12-01 11:00:00+00', 'shipped', {'sku': 'a', 'qty': 1}), (3, TIMESTAMPTZ '2026-12-01 09:00:00+00', 'placed', {'sku': 'c', 'qty': 3})) AS t(order_id, updated_at, status, line)",
    );
    const store = s3Store(s3);
    const results = await loader.loadObjects([first, second], store);
    expect(results.map((result) => result.status)).toEqual(['loaded', 'loaded']);
    const q = driver.compiler.quoteIdentifier(table);
    expect(await driver.query(`SELECT order_id, status FROM ${q} ORDER BY order_id`)).toEqual([
      { order_id: 1, status: 'shipped' },
      { order_id: 2, status: 'placed' },
      { order_id: 3, status: 'placed' },
    ]);

    const again = await loader.loadObjects([second, first], store);
    expect(again.map((result) => result.status)).toEqual(['duplicate', 'duplicate']);

    const bad = await parquet(
      'part-3-bad',
      "SELECT * FROM (VALUES ('not a number', TIMESTAMPTZ '2026-12-01 12:00:00+00', 'x', {'sku': 'z', 'qty': 0})) AS t(order_id, updated_at, status, line)",
    );
    const [refused] = await loader.loadObjects([bad], store);
    expect(refused?.status).toBe('failed');
    expect(await driver.query(`SELECT count(*) AS n FROM ${q}`)).toEqual([{ n: 3 }]);
  });
});
