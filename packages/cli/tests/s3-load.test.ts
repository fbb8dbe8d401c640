// `lakeload load s3://…` as a child process: objects uploaded to a real S3 API server (s3rver) load
// into DuckDB exactly as the same local files do, exactly once, keys with spaces and `=` included.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let dir: string;
let server: S3Server;
let parquet: string[];
const ODD = 'order_items/items a=1 copy.parquet';

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...server.env, MALLOC_ARENA_MAX: '2' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface LoadSummary {
  loaded: number;
  duplicate: number;
  failed: number;
  inserted: number;
  objects: { uri: string; status: string; error?: string; tip?: string }[];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-s3-load-'));
  server = await startS3Server(['lake']);
  expect(lakeload('generate', '--orders', '250', '--days', '2', '--out', 'in/orders.jsonl').code).toBe(0);
  expect(lakeload('convert', 'in', '--out', 'lake').code).toBe(0);
  const files = (await readdir(join(dir, 'lake'), { recursive: true })).filter((path) =>
    path.endsWith('.parquet'),
  );
  const items = files.find((path) => path.includes('order_items/')) ?? '';
  // A key with spaces and `=` in its file name, same rows as its neighbour (they upsert unchanged).
  await copyFile(join(dir, 'lake', items), join(dir, 'lake', dirname(dirname(items)), ODD));
  parquet = (await readdir(join(dir, 'lake'), { recursive: true })).filter((path) =>
    path.endsWith('.parquet'),
  );
  expect(lakeload('upload', 'lake', 's3://lake/landing').code).toBe(0);
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lakeload load s3://', () => {
  it('loads a prefix into DuckDB like the same local files, then finds everything loaded', () => {
    const fromS3 = lakeload('load', 's3://lake/landing/', '--warehouse', 'duckdb:s3.duckdb', '--json');
    expect(fromS3.stderr).toBe('');
    expect(fromS3.code).toBe(0);
    const s3 = JSON.parse(fromS3.stdout) as LoadSummary;
    expect(s3).toMatchObject({ loaded: parquet.length, failed: 0 });
    expect(s3.objects.every((object) => object.uri.startsWith('s3://lake/landing/year='))).toBe(true);
    expect(s3.objects.map((object) => object.uri)).toContain(
      `s3://lake/landing/${parquet.find((path) => path.endsWith(ODD))}`,
    );

    const local = JSON.parse(
      lakeload('load', 'lake', '--warehouse', 'duckdb:local.duckdb', '--json').stdout,
    ) as LoadSummary;
    expect(local).toMatchObject({ loaded: parquet.length, inserted: s3.inserted });
    const rows = (warehouse: string) =>
      (
        JSON.parse(lakeload('status', '--warehouse', warehouse, '--json').stdout) as {
          tables: { table: string; rows: string }[];
        }
      ).tables.map(({ table, rows }) => [table, rows]);
    expect(rows('duckdb:s3.duckdb')).toEqual(rows('duckdb:local.duckdb'));

    const again = JSON.parse(
      lakeload('load', 's3://lake/landing', '--warehouse', 'duckdb:s3.duckdb', '--json').stdout,
    ) as LoadSummary;
    expect(again).toMatchObject({ loaded: 0, duplicate: parquet.length, inserted: 0 });
  });

  it('loads one object by its exact key, spaces and = included', () => {
    const key = `landing/${parquet.find((path) => path.endsWith(ODD))}`;
    const one = lakeload('load', `s3://lake/${key}`, '--warehouse', 'duckdb:one.duckdb', '--json');
    expect(one.code).toBe(0);
    const summary = JSON.parse(one.stdout) as LoadSummary;
    expect(summary.objects).toEqual([expect.objectContaining({ uri: `s3://lake/${key}`, status: 'loaded' })]);
  });

  it('exits 1 with the fix for a missing key, 2 for a malformed URI', () => {
    const missing = lakeload('load', 's3://lake/landing/nope.parquet', '--warehouse', 'duckdb:x.duckdb');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/s3:\/\/lake\/landing\/nope\.parquet: no such object.*Check the key/);
    const malformed = lakeload('load', 's3://', '--warehouse', 'duckdb:x.duckdb');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/not an S3 URI/);
  });

  it('replays an S3 dead letter once the object is fixed, and reports one that is gone', async () => {
    const s3 = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: server.credentials,
    });
    const put = (key: string, body: Uint8Array | string) =>
      s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
    const good = parquet.find((path) => path.includes('order_summary/')) ?? '';
    await put('broken/order_summary/fixed-later.parquet', 'order_id,status\n1,paid\n');
    await put('broken/order_summary/deleted-later.parquet', 'not parquet either');
    const first = lakeload('load', 's3://lake/broken/', '--warehouse', 'duckdb:replay.duckdb', '--json');
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ loaded: 0, failed: 2 });

    const stillBroken = lakeload('replay', '--warehouse', 'duckdb:replay.duckdb', '--json');
    expect(stillBroken.code).toBe(1);
    expect(JSON.parse(stillBroken.stdout)).toMatchObject({ loaded: 0, failed: 2, unreachable: [] });

    await put('broken/order_summary/fixed-later.parquet', await readFile(join(dir, 'lake', good)));
    await s3.send(
      new DeleteObjectCommand({ Bucket: 'lake', Key: 'broken/order_summary/deleted-later.parquet' }),
    );
    const fixed = lakeload('replay', '--warehouse', 'duckdb:replay.duckdb', '--json');
    expect(fixed.code).toBe(1);
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      loaded: 1,
      failed: 0,
      unreachable: ['s3://lake/broken/order_summary/deleted-later.parquet'],
    });
    const again = JSON.parse(lakeload('replay', '--warehouse', 'duckdb:replay.duckdb', '--json').stdout);
    expect(again).toMatchObject({
      loaded: 0,
      unreachable: ['s3://lake/broken/order_summary/deleted-later.parquet'],
    });
    s3.destroy();
  });
});
