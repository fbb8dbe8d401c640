// The shared corpus of Parquet files from other engines, loaded by the loader's Redshift dialect
// through the local Data API endpoint and S3 server (COPY … FORMAT AS PARQUET with Redshift's type
// rules, on PostgreSQL), twice per table, and compared value by value with DuckDB's own reading.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { fileSource, Loader, type ObjectRef, readParquetSchema } from '@lakeload/loader';
import { redshiftWarehouse } from '@lakeload/loader/redshift';
import { s3Store } from '@lakeload/loader/s3';
import { fileFingerprint, fingerprint, printedSelect } from '@lakeload/testkit/fingerprint';
import { corpusFiles } from '@lakeload/testkit/parquet-corpus';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_S3_CREDENTIALS,
  type LocalS3,
  type RedshiftDataEndpoint,
  startLocalS3,
  startRedshiftDataEndpoint,
} from '../../src/index.js';

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
  const credentials = { ...LOCAL_S3_CREDENTIALS };
  data = new RedshiftDataClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
  storage = new S3Client({
    endpoint: s3.url,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
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

const tableOf = (name: string) =>
  name
    .replace(/\.parquet$/, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase();

/** Runs DuckDB SQL on `connection`, rows as JSON values. */
const duckdbRows = (connection: DuckDBConnection) => async (sql: string) =>
  (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

describe('the shared corpus on rehearsed Redshift', () => {
  it.each(corpusFiles())('$name: two files load, holding what DuckDB reads', async ({ name, path }) => {
    const driver = await redshiftWarehouse({
      target: { workgroup: 'rehearsal' },
      database: 'test',
      copyRoleArn: 'arn:aws:iam::000000000000:role/copy',
      manifestPrefix: 's3://lake/_lakeload/manifests/',
      pollIntervalMs: 10,
      clients: { data, s3: storage },
    });
    try {
      const table = tableOf(name);
      const body = await readFile(path);
      const refs: ObjectRef[] = [];
      for (const [index, key] of [`${table}/part-0.parquet`, `${table}/part-1.parquet`].entries()) {
        const put = await storage.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
        refs.push({
          bucket: 'lake',
          key,
          size: body.length,
          etag: String(put.ETag).replaceAll('"', ''),
          eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
        });
      }
      const loader = new Loader({ driver });
      const results = [];
      // One file after the other: the second evolves against the table the first created.
      for (const ref of refs) results.push(...(await loader.loadObjects([ref], s3Store(storage))));
      const refusal = REFUSED[name];
      if (refusal) {
        expect(results[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(refusal) });
        return;
      }
      expect(results.map((result) => [result.status, 'error' in result ? result.error : undefined])).toEqual([
        ['loaded', undefined],
        ['loaded', undefined],
      ]);
      const source = await fileSource(path);
      const { columns } = await readParquetSchema(source).finally(() => source.close());
      const connection = await reader.connect();
      await connection.run("SET TimeZone = 'UTC'");
      const expected = await fileFingerprint(duckdbRows(connection), driver.compiler, columns, [path, path]);
      connection.closeSync();
      // Read back on PostgreSQL, where the endpoint keeps Redshift's tables (SUPER as jsonb, VARBYTE as bytea).
      const stored = await schema.admin.query(
        printedSelect(
          'postgres',
          driver.compiler,
          columns,
          `${schema.name}.${driver.compiler.quoteIdentifier(table)}`,
        ),
      );
      expect(fingerprint(columns, stored.rows)).toEqual(expected);
    } finally {
      await driver.close();
    }
  });
});
