// Decimals of more than 38 digits on PostgreSQL, end to end: files written by hyparquet-writer,
// keyed by a DECIMAL(50,10) whose values differ only in their 40th digit, upserted and evolved file
// after file and in one batch, and every stored value compared with the files' bytes as
// @dsnp/parquetjs reads them (testkit's parquetDecimals), never with DuckDB's rounded DOUBLE.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import parquet from '@dsnp/parquetjs';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetDecimals } from '@lakeload/testkit/fingerprint';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { readWideDecimals } from '../../src/warehouse/postgres/wide-decimals.js';

type Schema = NonNullable<Parameters<typeof parquetWriteFile>[0]['schema']>;
type ColumnData = Parameters<typeof parquetWriteFile>[0]['columnData'];

// Two 50-digit keys (40 before the point, 10 after) that differ only in the 40th digit: one DOUBLE.
const K1 = 12345678901234567890123456789012345678901234567890n;
const K2 = K1 + 10n ** 10n;
const K3 = -K1;

const decimal = (name: string, precision: number, scale: number, fixed?: number) =>
  ({
    name,
    type: fixed ? 'FIXED_LEN_BYTE_ARRAY' : 'BYTE_ARRAY',
    ...(fixed ? { type_length: fixed } : {}),
    converted_type: 'DECIMAL',
    precision,
    scale,
    repetition_type: 'OPTIONAL',
  }) as const;
const text = (name: string) =>
  ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }) as const;
const int64 = (name: string) => ({ name, type: 'INT64', repetition_type: 'REQUIRED' }) as const;

describe('decimals of more than 38 digits', () => {
  let root: string;
  let lake: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lakeload-wide-'));
    lake = join(root, 'lake');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Writes lake/<key> with hyparquet-writer; `rowGroupSize` splits it into several row groups. */
  async function write(key: string, schema: Schema, columnData: ColumnData, rowGroupSize?: number) {
    const path = join(lake, key);
    await mkdir(dirname(path), { recursive: true });
    parquetWriteFile({
      filename: path,
      schema: [{ name: 'root', num_children: schema.length }, ...schema] as Schema,
      columnData,
      ...(rowGroupSize ? { rowGroupSize } : {}),
    });
    return key;
  }

  /** Each file's rows as exact text, read from the bytes by @dsnp/parquetjs (decimals) and by name. */
  async function fileRows(
    key: string,
    decimals: Record<string, number>,
    texts: Record<string, (string | null)[]>,
  ) {
    const columns = await Promise.all(
      Object.entries(decimals).map(
        async ([name, scale]) => [name, await parquetDecimals(join(lake, key), name, scale)] as const,
      ),
    );
    const count = columns[0]?.[1].length ?? 0;
    return Array.from({ length: count }, (_, row) =>
      Object.fromEntries([
        ...columns.map(([name, values]) => [name, values[row] ?? null]),
        ...Object.entries(texts).map(([name, values]) => [name, values[row] ?? null]),
      ]),
    );
  }

  /** Upserts `files`' rows by `key`, the later row winning; a column a row lacks is NULL. */
  function upserted(key: string, names: readonly string[], ...files: Record<string, unknown>[][]) {
    const rows = new Map<unknown, Record<string, unknown>>();
    for (const file of files)
      for (const row of file)
        rows.set(row[key], Object.fromEntries(names.map((name) => [name, row[name] ?? null])));
    return [...rows.values()].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
  }

  async function stored(driver: Driver, table: string, names: readonly string[], key: string) {
    const q = (name: string) => driver.compiler.quoteIdentifier(name);
    const rows = await driver.query(
      `SELECT ${names.map((name) => `(${q(name)})::text AS ${q(name)}`).join(', ')} FROM ${driver.compiler.quoteTable(table)}`,
    );
    return rows.sort((a, b) => String(a[key]).localeCompare(String(b[key])));
  }

  it('keeps keys that differ in the 40th digit apart, upserted and evolved file after file, on PostgreSQL', async () => {
    const first = await write(
      'wide/a.parquet',
      [decimal('k', 50, 10), decimal('amount', 45, 5, 19), text('note')],
      [
        { name: 'k', data: [K1, K2, K3] },
        { name: 'amount', data: [10n ** 44n - 1n, -(10n ** 40n) - 7n, null] },
        { name: 'note', data: ['one', 'two', 'three'] },
      ],
    );
    // K1 updated, K2 untouched, K4 new; amount widened to 48 digits (same scale); a column added.
    const K4 = K2 + 1n;
    const second = await write(
      'wide/b.parquet',
      [decimal('k', 50, 10), decimal('amount', 48, 5, 21), text('note'), decimal('extra', 60, 20)],
      [
        { name: 'k', data: [K1, K4, K3] },
        { name: 'amount', data: [-(10n ** 47n) + 3n, 5n, 12n] },
        { name: 'note', data: ['one again', 'four', 'three again'] },
        { name: 'extra', data: [10n ** 59n - 1n, null, -1n] },
      ],
      2,
    );

    // Through DuckDB's DOUBLE the two keys would be one: the defect this path avoids.
    const duck = await DuckDBInstance.create(':memory:');
    const reading = await (await duck.connect()).runAndReadAll(
      `SELECT count(DISTINCT k) AS n FROM read_parquet('${join(lake, first).replaceAll("'", "''")}') WHERE k > 0`,
    );
    expect(Number(reading.getRowObjectsJson()[0]?.n)).toBe(1);
    duck.closeSync();

    const schema = await createTestSchema('lakeload_wide');
    const driver = await postgresWarehouse({ connectionString: schema.url });
    try {
      const loader = new Loader({ driver, tables: { wide: { keys: ['k'], contract: 'evolve' } } });
      const load = async (key: string) => loader.loadFile(await localObject(lake, key), join(lake, key));
      expect(await load(first)).toMatchObject({ status: 'loaded', inserted: 3, updated: 0 });
      expect(await load(second)).toMatchObject({ status: 'loaded', inserted: 1, updated: 2 });

      const columns = await driver.tableColumns('wide');
      expect(columns?.map((column) => [column.name, column.type])).toEqual([
        ['k', { kind: 'decimal', precision: 50, scale: 10 }],
        ['amount', { kind: 'decimal', precision: 48, scale: 5 }],
        ['note', { kind: 'string' }],
        ['extra', { kind: 'decimal', precision: 60, scale: 20 }],
      ]);
      const names = ['k', 'amount', 'note', 'extra'];
      const expected = upserted(
        'k',
        names,
        await fileRows(first, { k: 10, amount: 5 }, { note: ['one', 'two', 'three'] }),
        await fileRows(
          second,
          { k: 10, amount: 5, extra: 20 },
          { note: ['one again', 'four', 'three again'] },
        ),
      );
      expect(expected).toHaveLength(4);
      // The independent reading holds the digits written (a check of the check).
      expect(expected.map((row) => row.k)).toContain('1234567890123456789012345678901234567891.1234567890');
      expect(await stored(driver, 'wide', names, 'k')).toEqual(expected);
    } finally {
      await driver.close();
      await schema.drop();
    }
  });

  it('keeps a wide non-key column exact when the reader ranks a batch of two files by an integer key', async () => {
    // Ranked by `id` in the reader, the newest row per id goes straight into the empty table by COPY.
    const schema: Schema = [int64('id'), decimal('amount', 40, 2, 17)];
    const first = await write('ranked/a.parquet', schema, [
      { name: 'id', data: [1n, 2n, 3n] },
      { name: 'amount', data: [10n ** 39n + 1n, 10n ** 39n + 2n, null] },
    ]);
    const second = await write(
      'ranked/b.parquet',
      schema,
      [
        { name: 'id', data: [3n, 1n, 4n, 5n] },
        { name: 'amount', data: [-(10n ** 39n) - 3n, 10n ** 39n + 11n, 0n, -1n] },
      ],
      3,
    );
    const pg = await createTestSchema('lakeload_wide');
    const driver = await postgresWarehouse({ connectionString: pg.url });
    try {
      const loader = new Loader({ driver, tables: { ranked: { keys: ['id'], contract: 'evolve' } } });
      const refs = [await localObject(lake, first), await localObject(lake, second)];
      const results = await loader.loadObjects(
        refs,
        localStore((ref) => join(lake, ref.key)),
      );
      expect(results.map((result) => result.status)).toEqual(['loaded', 'loaded']);
      const expected = upserted(
        'id',
        ['id', 'amount'],
        await fileRows(first, { amount: 2 }, { id: ['1', '2', '3'] }),
        await fileRows(second, { amount: 2 }, { id: ['3', '1', '4', '5'] }),
      );
      expect(await stored(driver, 'ranked', ['id', 'amount'], 'id')).toEqual(expected);
      // Into the filled table the ranked rows go through staging and the merge: still exact.
      const third = await write(`ranked/c.parquet`, schema, [
        { name: 'id', data: [2n, 6n] },
        { name: 'amount', data: [-(10n ** 39n) + 9n, 10n ** 38n] },
      ]);
      expect(await loader.loadFile(await localObject(lake, third), join(lake, third))).toMatchObject({
        status: 'loaded',
        inserted: 1,
        updated: 1,
      });
      expect(await stored(driver, 'ranked', ['id', 'amount'], 'id')).toEqual(
        upserted('id', ['id', 'amount'], expected, await fileRows(third, { amount: 2 }, { id: ['2', '6'] })),
      );
      expect(expected.find((row) => row.id === '1')?.amount).toBe(
        '10000000000000000000000000000000000000.11',
      );
    } finally {
      await driver.close();
      await pg.drop();
    }
  });

  it('reads the bytes of another writer, compressed: @dsnp/parquetjs with GZIP', async () => {
    const path = join(root, 'gzip.parquet');
    const bytes = (value: bigint) => {
      const hex = BigInt.asUintN(168, value).toString(16).padStart(42, '0');
      return Buffer.from(hex, 'hex');
    };
    const out = await parquet.ParquetWriter.openFile(
      new parquet.ParquetSchema({
        k: { type: 'DECIMAL', precision: 50, scale: 10, compression: 'GZIP', optional: true },
      } as never),
      path,
    );
    for (const value of [K1, K2, K3]) await out.appendRow({ k: bytes(value) });
    await out.appendRow({});
    await out.close();
    const groups = [];
    for await (const group of readWideDecimals(path, [
      { name: 'k', type: { kind: 'decimal', precision: 50, scale: 10 }, nullable: true },
    ]))
      groups.push(group);
    expect(groups.flatMap((group) => group.values.k)).toEqual([
      '1234567890123456789012345678901234567890.1234567890',
      '1234567890123456789012345678901234567891.1234567890',
      '-1234567890123456789012345678901234567890.1234567890',
      null,
    ]);
  });

  it('keeps refusing on DuckDB, whose DECIMAL holds 38 digits', async () => {
    const key = await write('wide/a.parquet', [decimal('k', 50, 10)], [{ name: 'k', data: [K1] }]);
    const driver = await duckdbWarehouse({ path: join(root, 'warehouse.duckdb') });
    try {
      const result = await new Loader({ driver }).loadFile(await localObject(lake, key), join(lake, key));
      expect(result).toMatchObject({ status: 'failed', retryable: false });
      expect('error' in result && result.error).toMatch(
        /"k" is decimal\(50,10\); DuckDB holds at most 38 digits/,
      );
    } finally {
      await driver.close();
    }
  });
});
