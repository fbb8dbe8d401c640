// What every live suite shares: the LAKELOAD_LIVE_* variables (a suite that cannot run fails naming
// the missing ones, never passes), the run's S3 prefix, the real driver and S3 client, uploads, and
// the clean-up of everything a run made (its tables, its ledger and dead-letter rows, its objects).
import { readFile } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectRef } from '../../src/events/types.js';
import { createS3Client } from '../../src/sources/s3-client.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { openWarehouse } from '../../src/warehouse/registry.js';

const REQUIRED = {
  LAKELOAD_LIVE_WAREHOUSE_URL: 'redshift-data://workgroup/<name>/<database>[?secret-arn=…]',
  LAKELOAD_LIVE_BUCKET: 'a bucket in the workgroup’s region that the COPY role can read',
  LAKELOAD_LIVE_COPY_ROLE_ARN: "the role COPY assumes (or 'default')",
};
export const missing = Object.keys(REQUIRED).filter((name) => !process.env[name]);

/** This run's id: every table and object it makes carries it. */
export const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const bucket = process.env.LAKELOAD_LIVE_BUCKET ?? '';
const prefix = `lakeload-live/${run}/`;

/** Fails the test, naming what is missing: a live suite that cannot run must not look passed. */
export function requireEnvironment(): void {
  if (missing.length > 0) {
    throw new Error(
      `the live Redshift suite needs ${missing.map((name) => `${name} (${REQUIRED[name as keyof typeof REQUIRED]})`).join(', ')}, plus AWS credentials and AWS_REGION; see "Live tests" in packages/loader/README.md`,
    );
  }
}

/** The real S3 client and Redshift driver (manifests under the run's prefix). */
export async function openLive(): Promise<{ s3: S3Client; driver: Driver }> {
  const base = String(process.env.LAKELOAD_LIVE_WAREHOUSE_URL);
  const manifests = encodeURIComponent(`s3://${bucket}/${prefix}manifests/`);
  const role = encodeURIComponent(String(process.env.LAKELOAD_LIVE_COPY_ROLE_ARN));
  const driver = await openWarehouse(
    `${base}${base.includes('?') ? '&' : '?'}manifest-prefix=${manifests}&copy-role-arn=${role}`,
  );
  return { s3: createS3Client(), driver };
}

/** Uploads the local file `path` as `<prefix><key>`: the object's event, as S3 would send it. */
export async function upload(s3: S3Client, path: string, key: string): Promise<ObjectRef> {
  const body = await readFile(path);
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${key}`, Body: body }));
  return {
    bucket,
    key: `${prefix}${key}`,
    size: body.length,
    etag: (put.ETag ?? '').replaceAll('"', ''),
    eventTime: new Date().toISOString(),
  };
}

/** Drops `tables`, deletes the run's ledger and dead-letter rows and every object under its prefix. */
export async function cleanUp(s3: S3Client, driver: Driver, tables: readonly string[]): Promise<void> {
  const c = driver.compiler;
  const like = c.quoteLiteral(`s3://${bucket}/${prefix}%`);
  await driver.runDdl([
    ...tables.map((table) => `DROP TABLE IF EXISTS ${c.quoteIdentifier(table)}`),
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
}
