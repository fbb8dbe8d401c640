// Live: the README's type matrix and the shared Parquet corpus on a real Redshift Serverless
// workgroup — what the rehearsal (packages/rehearsal/tests/integration/parquet-corpus.test.ts) can
// only emulate. Each row's file (testkit's parquet-matrix) and each corpus file is uploaded twice
// to the live bucket and loaded by the real driver, one file after the other (the second against
// the table the first created); the table is then read back through the Data API and compared,
// value by value, with DuckDB's own reading of the file (testkit's fingerprint), or the refusal the
// matrix names is asserted.
//
// Creates: objects under s3://$LAKELOAD_LIVE_BUCKET/lakeload-live/<run>/, a keyless table
// live_matrix_<run>_<row> per loadable row and live_corpus_<run>_<file> per corpus file, ledger rows.
// Deletes all of them at the end.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdbRows, fileFingerprint, fingerprint } from '@lakeload/testkit/fingerprint';
import { corpusFiles } from '@lakeload/testkit/parquet-corpus';
import { readMatrix, writeMatrixFile } from '@lakeload/testkit/parquet-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loader } from '../../src/load.js';
import { storedName } from '../../src/schema/names.js';
import { type Column, fileSource, readParquetSchema } from '../../src/schema/parquet.js';
import { s3Store } from '../../src/sources/s3-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { cleanUp, missing, openLive, requireEnvironment, run, upload } from './live-env.js';

/** Corpus files Redshift refuses, with the reason the type matrix gives (as in the rehearsal). */
const REFUSED: Record<string, RegExp> = {
  // A 2-byte fixed-width column: COPY from Parquet loads no fixed-width binary.
  'float16_nonzeros_and_nans.parquet': /half float \(FLOAT16/,
  // Spark wrote a timestamp of 226414 BC; Redshift's range starts at 4713 BC.
  'int96_from_spark.parquet': /timestamp out of range/,
};

const matrix = await readMatrix(fileURLToPath(new URL('../../README.md', import.meta.url)));
const tables: string[] = [];
let s3: S3Client;
let driver: Driver;
let reader: DuckDBInstance;
let duckdb: DuckDBConnection;
let dir: string;

beforeAll(async () => {
  if (missing.length > 0) return;
  dir = await mkdtemp(join(tmpdir(), 'lakeload-live-matrix-'));
  reader = await DuckDBInstance.create(':memory:');
  duckdb = await reader.connect();
  await duckdb.run("SET TimeZone = 'UTC'");
  ({ s3, driver } = await openLive());
});

afterAll(async () => {
  if (missing.length > 0) return;
  await cleanUp(s3, driver, tables);
  await driver.close();
  duckdb.closeSync();
  reader.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/**
 * How Redshift prints a value of the file's `type` for the testkit's `canonical` (its printer speaks
 * DuckDB and PostgreSQL). Booleans, doubles, strings and dates come typed from the Data API; integers
 * and decimals as text, since the SDK reads `longValue` through a double.
 */
function printed(type: Column['type'], value: string): string {
  switch (type.kind) {
    case 'binary':
      // VARBYTE as hex: https://docs.aws.amazon.com/redshift/latest/dg/r_TO_HEX.html
      return `upper(to_hex(${value}))`;
    case 'timestamp':
      // Microseconds since the epoch, a BIGINT: https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html
      // (a TIMESTAMPTZ converts in the session's time zone, UTC unless the user's default says otherwise).
      return `CAST(datediff(microsecond, TIMESTAMP '1970-01-01 00:00:00', ${value}) AS VARCHAR)`;
    case 'nested':
      // SUPER as JSON text; it prints a SQL NULL as 'null', a value DuckDB reads as NULL:
      // https://docs.aws.amazon.com/redshift/latest/dg/JSON_SERIALIZE.html
      return `CASE WHEN ${value} IS NULL THEN NULL ELSE json_serialize(${value}) END`;
    case 'int':
    case 'decimal':
      return `CAST(${value} AS VARCHAR)`;
    default:
      return value;
  }
}

/**
 * Uploads `path` as `<table>/part-0.parquet` and `part-1.parquet` and loads them one after the other;
 * the results, in order.
 */
async function loadTwice(table: string, path: string) {
  tables.push(table);
  const loader = new Loader({ driver });
  const results = [];
  for (const part of ['part-0', 'part-1']) {
    const ref = await upload(s3, path, `${table}/${part}.parquet`);
    results.push(...(await loader.loadObjects([ref], s3Store(s3))));
  }
  return results.map((result) => [result.status, 'error' in result ? result.error : undefined]);
}

/** The table holds what DuckDB reads from `path`, twice over, column by column. */
async function expectHoldsTwice(table: string, path: string) {
  const source = await fileSource(path);
  const { columns } = await readParquetSchema(source).finally(() => source.close());
  const expected = await fileFingerprint(duckdbRows(duckdb), driver.compiler, columns, [path, path]);
  // Redshift stores the names folded (and cut) by its rules.
  const stored = columns.map((column) => ({
    ...column,
    name: storedName(column.name, driver.capabilities.names),
  }));
  const list = stored.flatMap((column, index) => {
    const value = driver.compiler.quoteIdentifier(column.name);
    const printedValue = `${printed(column.type, value)} AS c${index}`;
    if (column.type.kind !== 'float') return [printedValue];
    // A double arrives typed, but JSON holds no NaN or infinity (they arrive as null): those as text.
    const text = `CAST(${value} AS VARCHAR)`;
    return [
      printedValue,
      `CASE WHEN ${text} IN ('NaN', 'Infinity', '-Infinity') THEN ${text} END AS n${index}`,
    ];
  });
  const rows = await driver.query(`SELECT ${list.join(', ')} FROM ${driver.compiler.quoteIdentifier(table)}`);
  const values = rows.map((row) =>
    Object.fromEntries(stored.map((_, index) => [`c${index}`, row[`n${index}`] ?? row[`c${index}`]])),
  );
  expect(Object.values(fingerprint(stored, values))).toEqual(Object.values(expected));
}

describe("the loader README's type matrix on live Redshift", () => {
  it.each(matrix)(
    "$parquet: two files load with DuckDB's values, or are refused as the cell says",
    async (row) => {
      requireEnvironment();
      const { folder, key } = await writeMatrixFile(row, dir);
      const table = `live_matrix_${run}_${folder}`;
      const results = await loadTwice(table, join(dir, key));
      const refusal = /^refused: (.+)$/.exec(row.cells.redshift);
      if (refusal) {
        expect(results[0]?.[0]).toBe('failed');
        expect(results[0]?.[1]).toContain(refusal[1]);
        return;
      }
      expect(results).toEqual([
        ['loaded', undefined],
        ['loaded', undefined],
      ]);
      await expectHoldsTwice(table, join(dir, key));
    },
  );
});

describe('the shared corpus on live Redshift', () => {
  it.each(corpusFiles())('$name: two files load, holding what DuckDB reads', async ({ name, path }) => {
    requireEnvironment();
    const table = `live_corpus_${run}_${name
      .replace(/\.parquet$/, '')
      .replace(/[^a-z0-9]+/gi, '_')
      .toLowerCase()}`;
    const results = await loadTwice(table, path);
    const refusal = REFUSED[name];
    if (refusal) {
      expect(results[0]?.[0]).toBe('failed');
      expect(results[0]?.[1]).toMatch(refusal);
      return;
    }
    expect(results).toEqual([
      ['loaded', undefined],
      ['loaded', undefined],
    ]);
    await expectHoldsTwice(table, path);
  });
});
