// The shared corpus of Parquet files from other engines, and a file of each row of the loader
// README's type matrix, loaded by the loader's Redshift dialect through the local Data API endpoint
// and S3 server (COPY … FORMAT AS PARQUET with Redshift's type rules, on PostgreSQL), and compared
// value by value with DuckDB's own reading; a refusal must be the matrix's.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Driver, fileSource, Loader, type ObjectRef, readParquetSchema } from '@lakeload/loader';
import { redshiftWarehouse } from '@lakeload/loader/redshift';
import { s3Store } from '@lakeload/loader/s3';
import { duckdbRows, fileFingerprint, fingerprint, printedSelect } from '@lakeload/testkit/fingerprint';
import { corpusFiles, corpusTable } from '@lakeload/testkit/parquet-corpus';
import { readMatrix, writeMatrixFile } from '@lakeload/testkit/parquet-matrix';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalS3,
  type RedshiftDataEndpoint,
  startLocalS3,
  startRedshiftDataEndpoint,
} from '../../src/index.js';
import { localClients } from '../helpers.js';

/** Files Redshift refuses, with the reason the loader's type matrix gives. */
const REFUSED: Record<string, RegExp> = {
  // A 2-byte fixed-width column: COPY from Parquet loads no fixed-width binary.
  'float16_nonzeros_and_nans.parquet': /half float \(FLOAT16/,
  // Spark wrote a timestamp of 226414 BC; Redshift's (and PostgreSQL's) range starts at 4713 BC.
  'int96_from_spark.parquet': /timestamp out of range/,
};

let s3: LocalS3;
let endpoint: RedshiftDataEndpoint;
let schema: TestSchema;
let data: RedshiftDataClient;
let storage: S3Client;
let reader: DuckDBInstance;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rehearsal-corpus-'));
  schema = await createTestSchema('rscorpus');
  s3 = await startLocalS3({ buckets: ['lake'] });
  endpoint = await startRedshiftDataEndpoint({
    connectionString: POSTGRES,
    s3: s3.objects,
    schema: schema.name,
  });
  ({ data, storage } = localClients(endpoint, s3));
  reader = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  reader.closeSync();
  data.destroy();
  storage.destroy();
  await endpoint.close();
  await s3.close();
  await schema.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A Redshift driver through the local endpoint, for one test. */
function openRedshift() {
  return redshiftWarehouse({
    target: { workgroup: 'rehearsal' },
    database: 'test',
    copyRoleArn: 'arn:aws:iam::000000000000:role/copy',
    manifestPrefix: 's3://lake/_lakeload/manifests/',
    pollIntervalMs: 10,
    clients: { data, s3: storage },
  });
}

/**
 * Uploads `path` as `copies` objects of the table's folder and loads them one after the other (the
 * second evolves against the table the first created); the results, in order.
 */
async function loadCopies(driver: Driver, table: string, path: string, copies: number) {
  const body = await readFile(path);
  const loader = new Loader({ driver });
  const results = [];
  for (let index = 0; index < copies; index++) {
    const key = `${table}/part-${index}.parquet`;
    const put = await storage.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
    const ref: ObjectRef = {
      bucket: 'lake',
      key,
      size: body.length,
      etag: String(put.ETag).replaceAll('"', ''),
      eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    };
    results.push(...(await loader.loadObjects([ref], s3Store(storage))));
  }
  return results;
}

/** The table holds what DuckDB reads from `path`, `copies` times over, column by column. */
async function expectHolds(driver: Driver, table: string, path: string, copies: number) {
  const source = await fileSource(path);
  const { columns } = await readParquetSchema(source).finally(() => source.close());
  const connection = await reader.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const paths = Array.from({ length: copies }, () => path);
  const expected = await fileFingerprint(duckdbRows(connection), driver.compiler, columns, paths);
  connection.closeSync();
  // Read back on PostgreSQL, where the endpoint keeps Redshift's tables (SUPER as jsonb, VARBYTE as
  // bytea) under Redshift's lower-case names.
  const folded = columns.map((column) => ({ ...column, name: column.name.toLowerCase() }));
  const stored = await schema.admin.query(
    printedSelect(
      'postgres',
      driver.compiler,
      folded,
      `${schema.name}.${driver.compiler.quoteIdentifier(table.toLowerCase())}`,
    ),
  );
  expect(Object.values(fingerprint(folded, stored.rows))).toEqual(Object.values(expected));
}

describe('the shared corpus on rehearsed Redshift', () => {
  it.each(corpusFiles())('$name: two files load, holding what DuckDB reads', async ({ name, path }) => {
    const driver = await openRedshift();
    try {
      const table = corpusTable(name);
      const results = await loadCopies(driver, table, path, 2);
      const refusal = REFUSED[name];
      if (refusal) {
        expect(results[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(refusal) });
        return;
      }
      expect(results.map((result) => [result.status, 'error' in result ? result.error : undefined])).toEqual([
        ['loaded', undefined],
        ['loaded', undefined],
      ]);
      await expectHolds(driver, table, path, 2);
    } finally {
      await driver.close();
    }
  });
});

const matrix = await readMatrix(fileURLToPath(new URL('../../../loader/README.md', import.meta.url)));

describe("the loader README's type matrix on rehearsed Redshift", () => {
  it.each(matrix)(
    "$parquet: two files load with DuckDB's values, or are refused as the cell says",
    async (row) => {
      const { folder, key } = await writeMatrixFile(row, dir);
      const driver = await openRedshift();
      try {
        const table = `matrix_${folder}`;
        const [result, second] = await loadCopies(driver, table, join(dir, key), 2);
        const refusal = /^refused: (.+)$/.exec(row.cells.redshift);
        if (refusal) {
          expect(result).toMatchObject({ status: 'failed' });
          expect(result && 'error' in result && result.error).toContain(refusal[1]);
          return;
        }
        expect(
          [result, second].map((loaded) => [
            loaded?.status,
            loaded && 'error' in loaded ? loaded.error : undefined,
          ]),
        ).toEqual([
          ['loaded', undefined],
          ['loaded', undefined],
        ]);
        await expectHolds(driver, table, join(dir, key), 2);
      } finally {
        await driver.close();
      }
    },
  );
});

describe('names on rehearsed Redshift, which folds them to lower case', () => {
  it('refuses a column named, once folded, like a column its staging adds, naming it', async () => {
    const writer = await DuckDBInstance.create(':memory:');
    const connection = await writer.connect();
    const path = join(dir, 'staging-name.parquet');
    await connection.run(`COPY (SELECT 1 AS id, 2 AS "__LAKELOAD_FILE") TO '${path}' (FORMAT parquet)`);
    connection.closeSync();
    writer.closeSync();
    const driver = await openRedshift();
    try {
      const [result] = await loadCopies(driver, 'staging_name', path, 1);
      expect(result).toMatchObject({ status: 'failed' });
      expect(result && 'error' in result && result.error).toMatch(
        /"__LAKELOAD_FILE" has a name the loader uses for its own bookkeeping.*rename the column in the file/,
      );
    } finally {
      await driver.close();
    }
  });

  it('loads a folder OrderItems/ with a column UserId file after file, evolving the folded table', async () => {
    const writer = await DuckDBInstance.create(':memory:');
    const connection = await writer.connect();
    const first = join(dir, 'names-a.parquet');
    const second = join(dir, 'names-b.parquet');
    await connection.run(`COPY (SELECT 1::BIGINT AS "UserId") TO '${first}' (FORMAT parquet)`);
    await connection.run(
      `COPY (SELECT 2::BIGINT AS "UserId", 'x' AS "Note") TO '${second}' (FORMAT parquet)`,
    );
    connection.closeSync();
    writer.closeSync();
    const driver = await openRedshift();
    try {
      expect(await loadCopies(driver, 'OrderItems', first, 1)).toMatchObject([
        { status: 'loaded', inserted: 1 },
      ]);
      const body = await readFile(second);
      const put = await storage.send(
        new PutObjectCommand({ Bucket: 'lake', Key: 'OrderItems/part-9.parquet', Body: body }),
      );
      const ref: ObjectRef = {
        bucket: 'lake',
        key: 'OrderItems/part-9.parquet',
        size: body.length,
        etag: String(put.ETag).replaceAll('"', ''),
        eventTime: new Date(Date.UTC(2026, 0, 2)).toISOString(),
      };
      const [result] = await new Loader({ driver }).loadObjects([ref], s3Store(storage));
      expect(result).toMatchObject({ status: 'loaded', inserted: 1 });
      const stored = await schema.admin.query(
        `SELECT userid::int, note FROM ${schema.name}.orderitems ORDER BY 1`,
      );
      expect(stored.rows).toEqual([
        { userid: 1, note: null },
        { userid: 2, note: 'x' },
      ]);
    } finally {
      await driver.close();
    }
  });
});
