// Footers written by a real engine (DuckDB), read back by our reader and compared with DuckDB's own
// view of the same file.
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeloadError, ParquetFormatError } from '../../src/errors.js';
import { type ByteSource, fileSource, readParquetSchema } from '../../src/schema/parquet.js';
import { ThriftError } from '../../src/schema/thrift.js';

let dir: string;
let db: DuckDBInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-parquet-'));
  db = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, select: string, options = ''): Promise<string> {
  const path = join(dir, name);
  const connection = await db.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet${options})`);
  connection.closeSync();
  return path;
}

async function schemaOf(path: string) {
  const source = await fileSource(path);
  try {
    return await readParquetSchema(source);
  } finally {
    await source.close();
  }
}

describe('readParquetSchema', () => {
  it('maps every common column type, in file order, with nullability', async () => {
    const path = await write(
      'types.parquet',
      `SELECT true AS b, 1::TINYINT AS i8, 2::SMALLINT AS i16, 3::INTEGER AS i32, 4::BIGINT AS i64, 5::UBIGINT AS u64,
        1.5::FLOAT AS f32, 2.5::DOUBLE AS f64, 12.34::DECIMAL(12,2) AS money, 1::DECIMAL(38,10) AS wide,
        'x' AS s, 'x'::BLOB AS bytes, DATE '2025-11-13' AS d, TIME '10:00:00' AS t,
        TIMESTAMP '2025-11-13 10:00:00' AS ts, TIMESTAMPTZ '2025-11-13 10:00:00+00' AS tstz,
        TIMESTAMP_MS '2025-11-13 10:00:00' AS ts_ms, TIMESTAMP_NS '2025-11-13 10:00:00' AS ts_ns,
        uuid() AS id, '{"a":1}'::JSON AS doc, {'a': 1} AS st, [1, 2] AS li, MAP {'k': 1} AS m
      FROM range(3)`,
    );
    const schema = await schemaOf(path);
    expect(schema.rows).toBe(3);
    expect(schema.rowGroups).toBe(1);
    expect(schema.createdBy).toMatch(/DuckDB/);
    expect(Object.fromEntries(schema.columns.map((column) => [column.name, column.type]))).toEqual({
      b: { kind: 'boolean' },
      i8: { kind: 'int', bits: 8, signed: true },
      i16: { kind: 'int', bits: 16, signed: true },
      i32: { kind: 'int', bits: 32, signed: true },
      i64: { kind: 'int', bits: 64, signed: true },
      u64: { kind: 'int', bits: 64, signed: false },
      f32: { kind: 'float', bits: 32 },
      f64: { kind: 'float', bits: 64 },
      money: { kind: 'decimal', precision: 12, scale: 2 },
      wide: { kind: 'decimal', precision: 38, scale: 10 },
      s: { kind: 'string' },
      bytes: { kind: 'binary' },
      d: { kind: 'date' },
      t: { kind: 'time', unit: 'micros', utc: false },
      ts: { kind: 'timestamp', unit: 'micros', utc: false },
      tstz: { kind: 'timestamp', unit: 'micros', utc: true },
      ts_ms: { kind: 'timestamp', unit: 'millis', utc: false },
      ts_ns: { kind: 'timestamp', unit: 'nanos', utc: false },
      id: { kind: 'uuid' },
      doc: { kind: 'json' },
      st: {
        kind: 'nested',
        shape: 'struct',
        children: [{ name: 'a', type: { kind: 'int', bits: 32, signed: true }, nullable: true }],
      },
      li: {
        kind: 'nested',
        shape: 'list',
        children: [{ name: 'element', type: { kind: 'int', bits: 32, signed: true }, nullable: true }],
      },
      m: {
        kind: 'nested',
        shape: 'map',
        children: [
          { name: 'key', type: { kind: 'string' }, nullable: false },
          { name: 'value', type: { kind: 'int', bits: 32, signed: true }, nullable: true },
        ],
      },
    });
    expect(schema.columns.every((column) => column.nullable)).toBe(true);
  });

  it('agrees with DuckDB on names, order, rows and row groups of a multi-row-group file', async () => {
    const path = await write(
      'groups.parquet',
      `SELECT range AS "order id", 'v' || range AS "naïve; ""quoted""", range % 7 = 0 AS flag FROM range(10000)`,
      ', ROW_GROUP_SIZE 2048',
    );
    const schema = await schemaOf(path);
    const connection = await db.connect();
    const meta = (
      await connection.runAndReadAll(`SELECT num_rows, num_row_groups FROM parquet_file_metadata('${path}')`)
    ).getRowObjectsJson();
    const names = (
      await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM '${path}')`)
    )
      .getRows()
      .map(([name]) => name);
    connection.closeSync();
    expect(schema.columns.map((column) => column.name)).toEqual(names);
    expect({ rows: String(schema.rows), rowGroups: String(schema.rowGroups) }).toEqual({
      rows: String(meta[0]?.num_rows),
      rowGroups: String(meta[0]?.num_row_groups),
    });
  });

  it('reads a footer larger than the first read with a second ranged read, and never more', async () => {
    const columns = Array.from({ length: 1500 }, (_, i) => `${i} AS column_with_a_long_name_${i}`).join(', ');
    const path = await write('wide.parquet', `SELECT ${columns}`);
    const file = await fileSource(path);
    const reads: [number, number][] = [];
    const counting: ByteSource = {
      name: file.name,
      size: file.size,
      read: (offset, length) => {
        reads.push([offset, length]);
        return file.read(offset, length);
      },
    };
    const schema = await readParquetSchema(counting);
    await file.close();
    expect(schema.columns).toHaveLength(1500);
    expect(reads).toHaveLength(2);
    expect(reads.every(([offset]) => offset > 0)).toBe(true);
  });

  it.each([
    [
      'an empty file',
      async (path: string) => writeFile(path, ''),
      /is 0 bytes, too small to be a Parquet file/,
    ],
    [
      'a CSV named .parquet',
      async (path: string) => writeFile(path, 'order_id,total\n1,12.50\n2,13.00\n'),
      /is not a Parquet file: it does not end with "PAR1".*CSV/,
    ],
    [
      'a truncated file',
      async (path: string) => {
        await writeFile(
          path,
          await readFile(await write('whole.parquet', 'SELECT range AS id FROM range(1000)')),
        );
        await truncate(path, 300);
      },
      /is not a Parquet file: it does not end with "PAR1"/,
    ],
    [
      'a footer length beyond the file',
      async (path: string) =>
        writeFile(
          path,
          Buffer.concat([
            Buffer.from('PAR1'),
            Buffer.alloc(8),
            Buffer.from([0xff, 0xff, 0, 0]),
            Buffer.from('PAR1'),
          ]),
        ),
      /is truncated: its footer claims 65535 bytes/,
    ],
    [
      'a corrupt footer',
      async (path: string) =>
        writeFile(
          path,
          Buffer.concat([
            Buffer.from('PAR1'),
            Buffer.from([0x19, 0xfc, 0xff]),
            Buffer.from([3, 0, 0, 0]),
            Buffer.from('PAR1'),
          ]),
        ),
      /has a corrupt footer/,
    ],
  ])('refuses %s with a clear error', async (_name, make, message) => {
    const path = join(dir, `bad-${_name.replaceAll(' ', '-')}.parquet`);
    await make(path);
    const promise = schemaOf(path);
    await expect(promise).rejects.toThrow(ParquetFormatError);
    await expect(schemaOf(path)).rejects.toThrow(message);
  });

  it('a corrupt footer is a terminal error of the one model down to its Thrift cause', async () => {
    const path = join(dir, 'bad-thrift-cause.parquet');
    const footer = Buffer.from([0x19, 0xfc, 0xff]);
    await writeFile(
      path,
      Buffer.concat([Buffer.from('PAR1'), footer, Buffer.from([3, 0, 0, 0, 0x50, 0x41, 0x52, 0x31])]),
    );
    const error = await schemaOf(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ParquetFormatError);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(ThriftError);
    expect(cause).toBeInstanceOf(LakeloadError);
    expect(cause).toMatchObject({ retryable: false, tip: ThriftError.tip });
    expect(ThriftError.tip).not.toBe(LakeloadError.tip);
  });
});
