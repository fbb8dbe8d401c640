// The README's type matrix (packages/loader/README.md, "Type matrix") as data, and a Parquet file
// of each row's type: written by DuckDB, hyparquet-writer or @dsnp/parquetjs, or taken from the
// shared corpus. The loader checks the rows on DuckDB and PostgreSQL, the rehearsal on Redshift.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import parquet from '@dsnp/parquetjs';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@lakeload/commons';
import { parquetWriteFile } from 'hyparquet-writer';
import { CORPUS } from './parquet-corpus.js';

/** One row of the README's matrix: the Parquet type and each dialect's cell. */
export interface MatrixRow {
  parquet: string;
  cells: { duckdb: string; postgres: string; redshift: string };
}

/** The rows of the type matrix in the README at `readmePath`. */
export async function readMatrix(readmePath: string): Promise<MatrixRow[]> {
  const readme = await readFile(readmePath, 'utf8');
  const section = readme.slice(readme.indexOf('### Type matrix'));
  const lines = section.split('\n');
  const header = lines.findIndex((line) => /^\| Parquet type +\|/.test(line));
  const rows: MatrixRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [label = '', duckdb = '', postgres = '', redshift = ''] = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    rows.push({ parquet: label, cells: { duckdb, postgres, redshift } });
  }
  return rows;
}

/** A file of one Parquet type: written into `dir`, or a corpus file; `column` is the one to check. */
type Source =
  | { duckdb: string }
  | { parquetjs: Record<string, object>; rows: Record<string, unknown>[] }
  | {
      hyparquet: Parameters<typeof parquetWriteFile>[0]['columnData'];
      schema?: Parameters<typeof parquetWriteFile>[0]['schema'];
    }
  | { corpus: string; column: string };

const S = (schema: object[]) => [{ name: 'root', num_children: schema.length }, ...schema] as never;

/** How each row's file is made; every row of the README has one (checked below). */
export const SOURCES: Record<string, Source> = {
  BOOLEAN: { duckdb: `SELECT * FROM (VALUES (true), (false), (NULL)) AS t(v)` },
  INT32: { duckdb: `SELECT * FROM (VALUES ((-2147483648)::INTEGER), (2147483647::INTEGER), (NULL)) AS t(v)` },
  INT64: {
    duckdb: `SELECT * FROM (VALUES ((-9223372036854775808)::BIGINT), (9223372036854775807::BIGINT), (NULL)) AS t(v)`,
  },
  'INT(8, signed)': { duckdb: `SELECT * FROM (VALUES ((-128)::TINYINT), (127::TINYINT), (NULL)) AS t(v)` },
  'INT(16, signed)': {
    duckdb: `SELECT * FROM (VALUES ((-32768)::SMALLINT), (32767::SMALLINT), (NULL)) AS t(v)`,
  },
  'INT(8, unsigned)': { duckdb: `SELECT * FROM (VALUES (0::UTINYINT), (255::UTINYINT), (NULL)) AS t(v)` },
  'INT(16, unsigned)': {
    duckdb: `SELECT * FROM (VALUES (0::USMALLINT), (65535::USMALLINT), (NULL)) AS t(v)`,
  },
  'INT(32, unsigned)': {
    duckdb: `SELECT * FROM (VALUES (0::UINTEGER), (4294967295::UINTEGER), (NULL)) AS t(v)`,
  },
  'INT(64, unsigned)': {
    duckdb: `SELECT * FROM (VALUES (0::UBIGINT), (18446744073709551615::UBIGINT), (NULL)) AS t(v)`,
  },
  FLOAT: { duckdb: `SELECT * FROM (VALUES (1.1::FLOAT), (-3.4e38::FLOAT), ('nan'::FLOAT), (NULL)) AS t(v)` },
  DOUBLE: {
    duckdb: `SELECT * FROM (VALUES (0.1::DOUBLE), (1.7976931348623157e308::DOUBLE), ('-inf'::DOUBLE), (NULL)) AS t(v)`,
  },
  FLOAT16: { corpus: 'float16_nonzeros_and_nans.parquet', column: 'x' },
  'DECIMAL on INT32': { corpus: 'int32_decimal.parquet', column: 'value' },
  'DECIMAL on INT64': { corpus: 'int64_decimal.parquet', column: 'value' },
  'DECIMAL on FIXED_LEN_BYTE_ARRAY': { corpus: 'fixed_length_decimal.parquet', column: 'value' },
  'DECIMAL on BYTE_ARRAY': { corpus: 'byte_array_decimal.parquet', column: 'value' },
  'DECIMAL, precision over 38': {
    hyparquet: [{ name: 'v', data: [12345678901234567890123456780123456789n, null] }],
    schema: S([
      {
        name: 'v',
        type: 'BYTE_ARRAY',
        converted_type: 'DECIMAL',
        precision: 40,
        scale: 10,
        repetition_type: 'OPTIONAL',
      },
    ]),
  },
  'STRING (UTF8)': {
    duckdb: `SELECT * FROM (VALUES ('plain'), ('tab\there'), (E'line\\nbreak'), ('back\\slash'), ('naïve ✓'), (NULL)) AS t(v)`,
  },
  ENUM: {
    hyparquet: [{ name: 'v', data: ['red', 'green', null] }],
    schema: S([{ name: 'v', type: 'BYTE_ARRAY', converted_type: 'ENUM', repetition_type: 'OPTIONAL' }]),
  },
  JSON: {
    duckdb: `SELECT * FROM (VALUES ('{"a": [1, 2.50, "x"], "b": null}'::JSON), ('12345678901234567890'::JSON), (NULL)) AS t(v)`,
  },
  'BSON (logical type)': {
    hyparquet: [{ name: 'v', data: [new Uint8Array([5, 0, 0, 0, 0]), null] }],
    schema: S([
      { name: 'v', type: 'BYTE_ARRAY', logical_type: { type: 'BSON' }, repetition_type: 'OPTIONAL' },
    ]),
  },
  VARIANT: { hyparquet: [{ name: 'v', data: [{ a: 1, b: ['x'] }, 'text', 12.5, null], type: 'VARIANT' }] },
  'GEOMETRY (WKB)': {
    hyparquet: [{ name: 'v', data: [{ type: 'Point', coordinates: [1, 2] }, null], type: 'GEOMETRY' }],
  },
  UUID: { duckdb: `SELECT * FROM (VALUES ('4ac7a9e9-607c-4c8a-84f3-843f0191e3fd'::UUID), (NULL)) AS t(v)` },
  'BYTE_ARRAY, no annotation': {
    duckdb: `SELECT * FROM (VALUES ('\\x00\\x01'::BLOB), ('hello'::BLOB), (NULL)) AS t(v)`,
  },
  'FIXED_LEN_BYTE_ARRAY, no annotation': {
    hyparquet: [{ name: 'v', data: [new Uint8Array([0, 1, 2, 255]), null] }],
    schema: S([{ name: 'v', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 4, repetition_type: 'OPTIONAL' }]),
  },
  'unknown logical type': { corpus: 'unknown-logical-type.parquet', column: 'column with unknown type' },
  DATE: { duckdb: `SELECT * FROM (VALUES (DATE '2025-11-13'), (DATE '0001-01-01'), (NULL)) AS t(v)` },
  'TIME(micros, local)': { duckdb: `SELECT * FROM (VALUES (TIME '10:00:00.123456'), (NULL)) AS t(v)` },
  'TIME(micros, UTC)': { duckdb: `SELECT * FROM (VALUES ('10:00:00.5+00'::TIMETZ), (NULL)) AS t(v)` },
  'TIME(nanos, local)': { duckdb: `SELECT * FROM (VALUES ('10:00:00.123456789'::TIME_NS), (NULL)) AS t(v)` },
  // DuckDB writes no zone-aware type in nanoseconds.
  'TIME(nanos, UTC)': {
    hyparquet: [{ name: 'v', data: [36000123456789n, null] }],
    schema: S([
      {
        name: 'v',
        type: 'INT64',
        logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'NANOS' },
        repetition_type: 'OPTIONAL',
      },
    ]),
  },
  'TIMESTAMP(nanos, UTC)': {
    hyparquet: [{ name: 'v', data: [1763028000123456789n, null] }],
    schema: S([
      {
        name: 'v',
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' },
        repetition_type: 'OPTIONAL',
      },
    ]),
  },
  'TIMESTAMP(millis, local)': {
    duckdb: `SELECT * FROM (VALUES (TIMESTAMP_MS '2025-11-13 10:00:00.123'), (NULL)) AS t(v)`,
  },
  'TIMESTAMP(micros, local)': {
    duckdb: `SELECT * FROM (VALUES (TIMESTAMP '2025-11-13 10:00:00.123456'), (NULL)) AS t(v)`,
  },
  'TIMESTAMP(micros, UTC)': {
    duckdb: `SELECT * FROM (VALUES (TIMESTAMPTZ '2025-11-13 10:00:00.123456+00'), (NULL)) AS t(v)`,
  },
  'TIMESTAMP(nanos, local)': {
    duckdb: `SELECT * FROM (VALUES (TIMESTAMP_NS '2025-11-13 10:00:00.123456789'), (NULL)) AS t(v)`,
  },
  'TIMESTAMP_MILLIS, converted type only': {
    hyparquet: [
      { name: 'v', data: [new Date(Date.UTC(2025, 10, 13, 10, 0, 0, 123)), null], type: 'TIMESTAMP' },
    ],
  },
  'TIME_MILLIS, converted type only': {
    parquetjs: { v: { type: 'TIME_MILLIS', optional: true } },
    rows: [{ v: 3723004 }, {}],
  },
  'repeated primitive, no annotation': {
    parquetjs: { v: { type: 'UTF8', repeated: true } },
    rows: [{ v: ['a', 'b'] }, { v: [] }],
  },
  'INT96 (Spark, Impala)': { corpus: 'alltypes_plain.parquet', column: 'timestamp_col' },
  INTERVAL: { duckdb: `SELECT * FROM (VALUES (INTERVAL '1 month 2 days 03:04:05.006'), (NULL)) AS t(v)` },
  'LIST (3-level)': { duckdb: `SELECT * FROM (VALUES ([1, NULL, 3]), ([]), (NULL)) AS t(v)` },
  'LIST, legacy 2-level': { corpus: 'old_list_structure.parquet', column: 'a' },
  'repeated field, no annotation': { corpus: 'repeated_no_annotation.parquet', column: 'phoneNumbers' },
  MAP: { duckdb: `SELECT * FROM (VALUES (MAP {'k': 1, 'l': NULL}), (NULL)) AS t(v)` },
  struct: { duckdb: `SELECT * FROM (VALUES ({'a': 1, 'b': 'x'}), ({'a': NULL, 'b': NULL}), (NULL)) AS t(v)` },
};

const slug = (label: string) =>
  label
    .replace(/[^a-z0-9]+/gi, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();

/** The row's file, written into `<dir>/<folder>/part-0.parquet`; and the column the row is about. */
export async function writeMatrixFile(
  row: MatrixRow,
  dir: string,
): Promise<{ folder: string; key: string; column: string }> {
  const source = SOURCES[row.parquet];
  if (!source) throw new Error(`the README's matrix row "${row.parquet}" has no file in SOURCES`);
  const folder = slug(row.parquet);
  const key = `${folder}/part-0.parquet`;
  const path = join(dir, key);
  await mkdir(join(dir, folder), { recursive: true });
  if ('duckdb' in source) {
    const writer = await DuckDBInstance.create(':memory:');
    try {
      const connection = await writer.connect();
      await connection.run(`COPY (${source.duckdb}) TO ${quoteLiteral(path)} (FORMAT parquet)`);
      connection.closeSync();
    } finally {
      writer.closeSync();
    }
    return { folder, key, column: 'v' };
  }
  if ('parquetjs' in source) {
    const out = await parquet.ParquetWriter.openFile(
      new parquet.ParquetSchema(source.parquetjs as never),
      path,
    );
    for (const record of source.rows) await out.appendRow(record);
    await out.close();
    return { folder, key, column: 'v' };
  }
  if ('hyparquet' in source) {
    parquetWriteFile({
      filename: path,
      columnData: source.hyparquet,
      ...(source.schema ? { schema: source.schema } : {}),
    });
    return { folder, key, column: 'v' };
  }
  await copyFile(join(CORPUS, source.corpus), path);
  return { folder, key, column: source.column };
}
