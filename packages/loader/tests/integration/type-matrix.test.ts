// The README's type matrix, checked row by row: a file of each Parquet type (written by DuckDB,
// hyparquet-writer or @dsnp/parquetjs, or taken from the shared corpus of other engines' files) is read by the footer
// reader, each dialect's column type or refusal is compared with the row's cells, and the file is
// loaded into DuckDB and PostgreSQL, every value compared with DuckDB's own reading of the file.
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parquet from '@dsnp/parquetjs';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { fileFingerprint, fingerprint, printedSelect } from '@lakeload/testkit/fingerprint';
import { CORPUS, corpusFiles } from '@lakeload/testkit/parquet-corpus';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { type Column, fileSource, readParquetSchema } from '../../src/schema/parquet.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { type SqlCompiler, UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';

/** One row of the README's matrix: the Parquet type and each dialect's cell. */
interface MatrixRow {
  parquet: string;
  cells: { duckdb: string; postgres: string; redshift: string };
}

async function readmeMatrix(): Promise<MatrixRow[]> {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('### Type matrix'));
  const lines = section.split('\n');
  const header = lines.findIndex((line) => /^\| Parquet type +\|/.test(line));
  const rows: MatrixRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [parquet = '', duckdb = '', postgres = '', redshift = ''] = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    rows.push({ parquet, cells: { duckdb, postgres, redshift } });
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
const SOURCES: Record<string, Source> = {
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

const compilers: Record<keyof MatrixRow['cells'], SqlCompiler> = {
  duckdb: new DuckDBSqlCompiler(),
  postgres: new PostgresSqlCompiler(),
  redshift: new RedshiftSqlCompiler(),
};

const matrix = await readmeMatrix();
let dir: string;
let writer: DuckDBInstance;

beforeAll(async () => {
  corpusFiles();
  dir = await mkdtemp(join(tmpdir(), 'lakeload-matrix-'));
  writer = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  writer.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const slug = (label: string) =>
  label
    .replace(/[^a-z0-9]+/gi, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();

/** The row's file, written once into `<dir>/<slug>/part-0.parquet`; and the column it is about. */
async function fileFor(row: MatrixRow): Promise<{ folder: string; key: string; column: string }> {
  const source = SOURCES[row.parquet];
  if (!source) throw new Error(`the README's matrix row "${row.parquet}" has no file in SOURCES`);
  const folder = slug(row.parquet);
  const key = `${folder}/part-0.parquet`;
  const path = join(dir, key);
  await mkdir(join(dir, folder), { recursive: true });
  if ('duckdb' in source) {
    const connection = await writer.connect();
    await connection.run(`COPY (${source.duckdb}) TO '${path}' (FORMAT parquet)`);
    connection.closeSync();
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

async function columnOf(path: string, name: string): Promise<Column> {
  const source = await fileSource(path);
  const { columns } = await readParquetSchema(source).finally(() => source.close());
  const column = columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`${path} has no column "${name}"`);
  return column;
}

/** `TYPE` in backticks is the column type; `refused: reason` is an UnsupportedTypeError saying it. */
function expectCell(compiler: SqlCompiler, column: Column, cell: string) {
  const refusal = /^refused: (.+)$/.exec(cell);
  if (refusal) {
    expect(() => compiler.columnType(column.type, column.name)).toThrow(UnsupportedTypeError);
    expect(() => compiler.columnType(column.type, column.name)).toThrow(refusal[1]);
    return;
  }
  expect(cell).toMatch(/^`.+`$/);
  expect(compiler.columnType(column.type, column.name)).toBe(cell.slice(1, -1));
}

describe('the README type matrix', () => {
  it('has a file for every row and a row for every file', () => {
    expect(matrix.map((row) => row.parquet).sort()).toEqual(Object.keys(SOURCES).sort());
  });

  it.each(matrix)('$parquet: each dialect maps it as the matrix says', async (row) => {
    const { key, column } = await fileFor(row);
    const type = await columnOf(join(dir, key), column);
    for (const dialect of ['duckdb', 'postgres', 'redshift'] as const) {
      expectCell(compilers[dialect], type, row.cells[dialect]);
    }
  });
});

/** Runs DuckDB SQL on `connection`, rows as JSON values. */
const duckdbRows = (connection: DuckDBConnection) => async (sql: string) =>
  (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

describe.each([
  {
    name: 'duckdb' as const,
    open: async (root: string) => ({
      driver: await duckdbWarehouse({ path: join(root, 'warehouse.duckdb') }),
      cleanup: async () => {},
    }),
  },
  {
    name: 'postgres' as const,
    open: async () => {
      const schema = await createTestSchema('lakeload_matrix');
      return { driver: await postgresWarehouse({ connectionString: schema.url }), cleanup: schema.drop };
    },
  },
])('the README type matrix loaded into $name', (backend) => {
  let driver: Driver;
  let cleanup: () => Promise<void>;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `lakeload-matrix-${backend.name}-`));
    ({ driver, cleanup } = await backend.open(root));
  });
  afterAll(async () => {
    await driver.close();
    await cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it.each(matrix)("$parquet: loads with DuckDB's values, or is refused as the cell says", async (row) => {
    const { folder, key } = await fileFor(row);
    const loader = new Loader({ driver });
    const result = await loader.loadFile(await localObject(dir, key), join(dir, key));
    const refusal = /^refused: (.+)$/.exec(row.cells[backend.name]);
    if (refusal) {
      expect(result).toMatchObject({ status: 'failed' });
      expect('error' in result && result.error).toContain(refusal[1]);
      return;
    }
    expect([result.status, 'error' in result ? result.error : undefined]).toEqual(['loaded', undefined]);
    const source = await fileSource(join(dir, key));
    const { columns } = await readParquetSchema(source).finally(() => source.close());
    const connection = await writer.connect();
    await connection.run("SET TimeZone = 'UTC'");
    const expected = await fileFingerprint(duckdbRows(connection), driver.compiler, columns, [
      join(dir, key),
    ]);
    connection.closeSync();
    const stored = await driver.query(
      printedSelect(backend.name, driver.compiler, columns, driver.compiler.quoteIdentifier(folder)),
    );
    expect(fingerprint(columns, stored)).toEqual(expected);
  });
});
