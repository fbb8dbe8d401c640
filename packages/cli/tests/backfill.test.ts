// `lakeload backfill` and `lakeload reconcile` as child processes against a real S3 API server
// (s3rver) into DuckDB and PostgreSQL: a lake loaded in part, reconciled (exit 3), a dry run that
// changes nothing, a backfill of exactly the rest (each file once, rows equal to an oracle),
// reconciled clean (exit 0), and a re-upload with a new ETag found and loaded again.
import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { openWarehouse } from '@lakeload/loader';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let dir: string;
let server: S3Server;
let parquet: string[];
let oracle: Record<string, number>;
let schema: TestSchema;

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...server.env, MALLOC_ARENA_MAX: '2' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-backfill-'));
  server = await startS3Server(['lake']);
  expect(lakeload('generate', '--orders', '300', '--days', '3', '--out', 'in/orders.jsonl').code).toBe(0);
  expect(lakeload('convert', 'in', '--out', 'lake').code).toBe(0);
  parquet = (await readdir(join(dir, 'lake'), { recursive: true }))
    .filter((path) => path.endsWith('.parquet'))
    .sort();
  expect(lakeload('upload', 'lake', 's3://lake/landing').code).toBe(0);
  // The oracle: distinct keys per table across the files, straight from Parquet.
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  oracle = {};
  for (const [table, keys] of [
    ['order_summary', 'order_id'],
    ['order_items', 'order_id, line_number'],
    ['order_flattened', 'order_id, line_number'],
  ] as const) {
    const reader = await connection.runAndReadAll(
      `SELECT count(*) AS n FROM (SELECT DISTINCT ${keys} FROM read_parquet('${dir}/lake/*/*/*/${table}/*.parquet'))`,
    );
    oracle[table] = Number(reader.getRows()[0]?.[0]);
  }
  connection.closeSync();
  db.closeSync();
  schema = await createTestSchema('lakeload_backfill');
});
afterAll(async () => {
  await schema?.drop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reconciled {
  drift: boolean;
  listed: number;
  loaded: number;
  notLoaded: { uri: string; reason: string }[];
  failed: { uri: string; error: string }[];
  gone: { uri: string }[];
}

const WAREHOUSES: Record<string, () => string> = {
  DuckDB: () => `duckdb:${join(dir, 'backfill.duckdb')}`,
  PostgreSQL: () => schema.url,
};

describe.each(Object.keys(WAREHOUSES))('backfill and reconcile from S3 into %s', (name) => {
  it('reconciles (exit 3), dry-runs, backfills exactly the rest, reconciles clean, and reloads a re-upload', async () => {
    const warehouse = (WAREHOUSES[name] as () => string)();
    const first = parquet.filter((_, index) => index % 3 === 0);
    const loadFirst = lakeload(
      'load',
      ...first.map((key) => `s3://lake/landing/${key}`),
      '--warehouse',
      warehouse,
      '--json',
    );
    expect(loadFirst.code, loadFirst.stderr).toBe(0);

    const before = lakeload('reconcile', 's3://lake/landing', '--warehouse', warehouse, '--json');
    expect(before.code, before.stderr).toBe(3);
    const drift = JSON.parse(before.stdout) as Reconciled;
    expect(drift).toMatchObject({ drift: true, listed: parquet.length, loaded: first.length });
    expect(drift.notLoaded).toHaveLength(parquet.length - first.length);
    const text = lakeload('reconcile', 's3://lake/landing/', '--warehouse', warehouse);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain(`Present but not loaded: ${parquet.length - first.length}`);
    expect(text.stdout).toMatch(/Drift found \(exit 3\)/);

    const dry = lakeload('backfill', 's3://lake/landing', '--warehouse', warehouse, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, loaded: 0 });
    expect((JSON.parse(dry.stdout) as { toLoad: unknown[] }).toLoad).toHaveLength(
      parquet.length - first.length,
    );
    expect(
      (
        JSON.parse(
          lakeload('reconcile', 's3://lake/landing', '--warehouse', warehouse, '--json').stdout,
        ) as Reconciled
      ).notLoaded,
    ).toHaveLength(parquet.length - first.length);

    const filled = lakeload(
      'backfill',
      's3://lake/landing',
      '--warehouse',
      warehouse,
      '--concurrency',
      '2',
      '--json',
    );
    expect(filled.code, filled.stderr).toBe(0);
    expect(JSON.parse(filled.stdout)).toMatchObject({
      listed: parquet.length,
      alreadyLoaded: first.length,
      loaded: parquet.length - first.length,
      failed: 0,
      duplicate: 0,
    });
    const clean = lakeload('reconcile', 's3://lake/landing', '--warehouse', warehouse);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('Clean: every object present is loaded.');

    const driver = await openWarehouse(warehouse);
    try {
      const ledger = await driver.query(
        `SELECT object_uri, count(*) AS n FROM lakeload_load_history WHERE status = 'loaded' GROUP BY object_uri`,
      );
      expect(ledger).toHaveLength(parquet.length);
      expect(ledger.every((row) => Number(row.n) === 1)).toBe(true);
      for (const [table, rows] of Object.entries(oracle)) {
        const [count] = await driver.query(`SELECT count(*) AS n FROM ${table}`);
        expect(Number(count?.n), table).toBe(rows);
      }
    } finally {
      await driver.close();
    }

    // Re-uploaded with other bytes (its neighbour's rows): a new ETag, reported changed, loaded again.
    const summaries = parquet.filter((key) => key.includes('order_summary'));
    const target = summaries[0] as string;
    const client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    await client.send(
      new PutObjectCommand({
        Bucket: 'lake',
        Key: `landing/${target}`,
        Body: await readFile(join(dir, 'lake', summaries[1] as string)),
      }),
    );
    client.destroy();
    const changed = JSON.parse(
      lakeload('reconcile', 's3://lake/landing', '--warehouse', warehouse, '--json').stdout,
    ) as Reconciled;
    expect(changed.notLoaded).toEqual([
      { uri: `s3://lake/landing/${target}`, identity: expect.any(String), reason: 'changed' },
    ]);
    const again = lakeload('backfill', 's3://lake/landing', '--warehouse', warehouse, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ loaded: 1, alreadyLoaded: parquet.length - 1 });
    expect(lakeload('reconcile', 's3://lake/landing', '--warehouse', warehouse).code).toBe(0);
    // Put the original back, for the next warehouse.
    const restore = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    await restore.send(
      new PutObjectCommand({
        Bucket: 'lake',
        Key: `landing/${target}`,
        Body: await readFile(join(dir, 'lake', target)),
      }),
    );
    restore.destroy();
  });
});

describe('backfill and reconcile usage', () => {
  it('documents the options and exits 2 naming what is wrong', () => {
    for (const command of ['backfill', 'reconcile']) {
      const help = lakeload(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: lakeload ${command}`);
      expect(help.stdout).toContain('--json');
    }
    expect(lakeload('backfill', 'lake', '--since', '2025-13-01').stderr).toMatch(/--since expects a date/);
    expect(lakeload('backfill', 'lake', '--since', 'yesterday').code).toBe(2);
    expect(lakeload('backfill', 's3://').code).toBe(2);
    expect(lakeload('reconcile', 'nope').stderr).toMatch(/"nope" is not a folder/);
    expect(lakeload('backfill', 'lake', '--concurrency', '0').code).toBe(2);
  });

  it('backfills a local folder, --since leaving older files alone', () => {
    const warehouse = 'duckdb:local.duckdb';
    const future = lakeload('backfill', 'lake', '--warehouse', warehouse, '--since', '2999-01-01', '--json');
    expect(future.code, future.stderr).toBe(0);
    expect(JSON.parse(future.stdout)).toMatchObject({ loaded: 0, beforeSince: parquet.length, toLoad: [] });
    const all = lakeload('backfill', 'lake', '--warehouse', warehouse, '--json');
    expect(JSON.parse(all.stdout)).toMatchObject({ loaded: parquet.length, failed: 0 });
    expect(lakeload('reconcile', 'lake', '--warehouse', warehouse).code).toBe(0);
  });

  it('reports a loaded file that is gone and a file that fails, exit 3, until the cause is fixed', async () => {
    const lake = join(dir, 'drift');
    await cp(join(dir, 'lake'), lake, { recursive: true });
    const warehouse = 'duckdb:drift.duckdb';
    expect(lakeload('backfill', 'drift', '--warehouse', warehouse).code).toBe(0);
    const [gone, other] = parquet;
    await rm(join(lake, gone as string));
    const broken = join(lake, dirname(other as string), 'broken.parquet');
    await writeFile(broken, 'not parquet');
    const failing = lakeload('backfill', 'drift', '--warehouse', warehouse, '--json');
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout)).toMatchObject({
      loaded: 0,
      failed: 1,
      alreadyLoaded: parquet.length - 1,
    });
    const drift = lakeload('reconcile', 'drift', '--warehouse', warehouse, '--json');
    expect(drift.code).toBe(3);
    const report = JSON.parse(drift.stdout) as Reconciled;
    expect(report.gone.map((item) => item.uri)).toEqual([`file://${join(lake, gone as string)}`]);
    expect(report.failed).toEqual([
      expect.objectContaining({ uri: `file://${broken}`, error: expect.stringMatching(/broken\.parquet/) }),
    ]);
    expect(report.notLoaded).toEqual([]);
    const text = lakeload('reconcile', 'drift', '--warehouse', warehouse);
    expect(text.stdout).toMatch(/Loaded but no longer present: 1\n.*\n.*drift\//);
    expect(text.stdout).toContain('Failed: 1');
    // The broken file taken away and the deleted one put back (same bytes): clean again.
    await rm(broken);
    await copyFile(join(dir, 'lake', gone as string), join(lake, gone as string));
    expect(lakeload('reconcile', 'drift', '--warehouse', warehouse).code).toBe(0);
  });
});
