// Live: Parquet files uploaded to a real bucket, loaded by the real Loader into a real Redshift
// Serverless workgroup through the Data API, read back, then everything removed. Enabled only by
// the separate config (vitest.live.config.ts); without its variables every test fails, naming them.
//
// Creates: objects under s3://$LAKELOAD_LIVE_BUCKET/lakeload-live/<run>/ (data files and COPY
// manifests), a table live_orders_<run>, rows in lakeload_load_history and lakeload_dead_letters
// (created if missing). Deletes all of them at the end, the ledger rows by their object URIs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import { s3Store } from '../../src/sources/s3-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { cleanUp, missing, openLive, requireEnvironment, run, upload } from './live-env.js';

const table = `live_orders_${run}`;
let s3: S3Client;
let driver: Driver;
let scratch: string;

/** A DuckDB query's rows as `<table>/<name>.parquet`: the folder routes the object to `table`. */
async function parquet(name: string, select: string, into = table): Promise<ObjectRef> {
  const path = join(scratch, `${into}-${name}.parquet`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();
  return upload(s3, path, `${into}/${name}.parquet`);
}

beforeAll(async () => {
  if (missing.length > 0) return;
  scratch = await mkdtemp(join(tmpdir(), 'lakeload-live-'));
  ({ s3, driver } = await openLive());
});

afterAll(async () => {
  if (missing.length > 0) return;
  await cleanUp(s3, driver, [table]);
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
    // Each file its own counts (issue 16): order 1 of part-1 loses to part-2's newer row.
    expect(results).toMatchObject([
      { status: 'loaded', inserted: 1, updated: 0, unchanged: 1 },
      { status: 'loaded', inserted: 2, updated: 0, unchanged: 0 },
    ]);
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

  it('breaks ties by the newest file and refuses a tie within a file', async () => {
    requireEnvironment();
    const tied = `${table}_ties`;
    const loader = new Loader({
      driver,
      tables: { [tied]: { keys: ['id'], version: 'v', contract: 'evolve' } },
    });
    const rows = (status: string) =>
      `SELECT range AS id, CAST(1 AS BIGINT) AS v, '${status}' AS status FROM range(0, 40)`;
    const older = await parquet('old', rows('old'), tied);
    const newer = await parquet('new', rows('new'), tied);
    const store = s3Store(s3);
    try {
      expect((await loader.loadObjects([older, newer], store)).map((result) => result.status)).toEqual([
        'loaded',
        'loaded',
      ]);
      const q = driver.compiler.quoteIdentifier(tied);
      expect(await driver.query(`SELECT status, count(*) AS n FROM ${q} GROUP BY status`)).toEqual([
        { status: 'new', n: 40 },
      ]);
      const within = await parquet(
        'within',
        "SELECT 1 AS id, CAST(2 AS BIGINT) AS v, 'x' AS status UNION ALL SELECT 1, 2, 'y'",
        tied,
      );
      const [refused] = await loader.loadObjects([within], store);
      expect(refused).toMatchObject({ status: 'failed', retryable: false });
    } finally {
      await driver.runDdl([`DROP TABLE IF EXISTS ${driver.compiler.quoteIdentifier(tied)}`]);
    }
  });

  it('settles what the rehearsal emulates: identifier folding, the isolation level, the statement size', async () => {
    requireEnvironment();
    // Folding (https://docs.aws.amazon.com/redshift/latest/dg/r_names.html): a quoted mixed-case
    // name is stored in lower case unless enable_case_sensitive_identifier is on.
    const mixed = `Live_Case_${run}`;
    try {
      await driver.runDdl([`CREATE TABLE "${mixed}" ("MixedCol" INTEGER)`]);
      expect(
        await driver.query(
          `SELECT table_name, column_name FROM information_schema.columns WHERE table_name = '${mixed.toLowerCase()}'`,
        ),
      ).toEqual([{ table_name: mixed.toLowerCase(), column_name: 'mixedcol' }]);
    } finally {
      await driver.runDdl([`DROP TABLE IF EXISTS "${mixed}"`]);
    }
    // The level the driver reads before its first load; printed for the capacity model's notes.
    const [level] = await driver.query(
      'SELECT isolation_level FROM stv_db_isolation_level WHERE db_name = current_database()',
    );
    console.log(`live isolation level: ${JSON.stringify(level)}`);
    expect(String(level?.isolation_level ?? '').trim()).toMatch(/^(Snapshot Isolation|Serializable)$/);
    // 100 KB: 100,000 bytes are taken; whether 102,400 are is printed (the loader budgets 100,000).
    const sized = (bytes: number) => `SELECT '${'x'.repeat(bytes - "SELECT '' AS x".length)}' AS x`;
    expect(await driver.query(sized(100_000))).toHaveLength(1);
    const over = await driver.query(sized(102_400)).then(
      () => 'taken',
      (error: Error) => `refused: ${error.message.slice(0, 200)}`,
    );
    console.log(`live statement of 102,400 bytes: ${over}`);
  });

  it('measures the latencies of the capacity model: statement, COPY per file, commit', async () => {
    requireEnvironment();
    const timed = `${table}_timed`;
    const loader = new Loader({
      driver,
      tables: { [timed]: { keys: ['id'], version: 'v', contract: 'evolve' } },
    });
    const refs = [];
    for (let file = 0; file < 4; file++)
      refs.push(
        await parquet(
          `part-${file}`,
          `SELECT range AS id, CAST(1 AS BIGINT) AS v FROM range(${file * 100}, ${file * 100 + 100})`,
          timed,
        ),
      );
    const started = Date.now();
    try {
      const results = await loader.loadObjects(refs, s3Store(s3));
      expect(results.every((result) => result.status === 'loaded')).toBe(true);
      // SYS_QUERY_HISTORY holds each statement's elapsed time (microseconds) on Serverless.
      const since = new Date(started - 60_000).toISOString().replace('T', ' ').slice(0, 19);
      const timings = await driver.query(
        `SELECT query_type, count(*) AS n, avg(elapsed_time) / 1000 AS avg_ms FROM sys_query_history WHERE start_time >= '${since}' AND query_text LIKE '%__lakeload_%' GROUP BY query_type ORDER BY query_type`,
      );
      console.log(`live latencies by statement kind: ${JSON.stringify(timings)}`);
      expect(timings.length).toBeGreaterThan(0);
    } finally {
      await driver.runDdl([`DROP TABLE IF EXISTS ${driver.compiler.quoteIdentifier(timed)}`]);
    }
  });
});
