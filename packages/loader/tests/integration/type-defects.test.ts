// The type and name defects of real files (issue 10), each reproduced end to end on every real
// warehouse: a file written by another engine, loaded, and the table compared with DuckDB's own
// reading of the files (tests/fingerprint.ts).
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { printedSelect } from '@lakeload/testkit/fingerprint';
import { CORPUS, corpusFiles } from '@lakeload/testkit/parquet-corpus';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader, type ObjectResult } from '../../src/load.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { expectTableHolds, realWarehouses } from '../warehouses.js';

const backends = realWarehouses('lakeload_types');

describe.each(backends)('types and names on $name', (backend) => {
  let root: string;
  let lake: string;
  let driver: Driver;
  let cleanup: () => Promise<void>;
  let writer: DuckDBInstance;
  let loader: Loader;

  beforeEach(async () => {
    corpusFiles();
    root = await mkdtemp(join(tmpdir(), `lakeload-types-${backend.name}-`));
    lake = join(root, 'lake');
    ({ driver, cleanup } = await backend.open(root));
    writer = await DuckDBInstance.create(':memory:');
    loader = new Loader({ driver });
  });
  afterEach(async () => {
    await driver.close();
    await cleanup();
    writer.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  /** Writes the rows of a DuckDB SELECT to lake/<key>. */
  async function duckdbFile(key: string, select: string): Promise<string> {
    const path = join(lake, key);
    await mkdir(dirname(path), { recursive: true });
    const connection = await writer.connect();
    await connection.run(`COPY (${select}) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
    connection.closeSync();
    return key;
  }

  async function corpusFile(key: string, name: string): Promise<string> {
    await mkdir(dirname(join(lake, key)), { recursive: true });
    await copyFile(join(CORPUS, name), join(lake, key));
    return key;
  }

  async function load(key: string): Promise<ObjectResult> {
    return loader.loadFile(await localObject(lake, key), join(lake, key));
  }

  /** The table holds exactly what DuckDB reads from these files, column by column. */
  const expectHolds = (table: string, keys: readonly string[]) =>
    expectTableHolds(
      backend.name,
      driver,
      writer,
      table,
      keys.map((key) => join(lake, key)),
    );

  it('1. loads Spark INT96 timestamps file after file, and a microsecond file into the same column', async () => {
    const first = await corpusFile('spark/a.parquet', 'alltypes_plain.parquet');
    const second = await corpusFile('spark/b.parquet', 'alltypes_plain.parquet');
    expect(await load(first)).toMatchObject({ status: 'loaded', inserted: 8 });
    expect(await load(second)).toMatchObject({ status: 'loaded', inserted: 8 });
    await expectHolds('spark', [first, second]);
    const micros = await duckdbFile(
      'spark/c.parquet',
      `SELECT 100 AS id, TIMESTAMPTZ '2025-11-13 10:00:00.123456+00' AS timestamp_col`,
    );
    expect(await load(micros)).toMatchObject({ status: 'loaded', inserted: 1 });
    const [row] = await driver.query(
      `SELECT ${printedSelect(backend.name, driver.compiler, [{ name: 'timestamp_col', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true }], 'spark').slice('SELECT '.length)} WHERE id = 100`,
    );
    expect(String(row?.c0)).toBe(String(Date.UTC(2025, 10, 13, 10) * 1000 + 123456));
  });

  it('2. stores binary values byte for byte, a leading 0x00 included', async () => {
    const key = await duckdbFile(
      'blobs/a.parquet',
      `SELECT * FROM (VALUES ('hello'::BLOB), ('\\x00\\x01\\xFF'::BLOB), ('a\\x5Cb'::BLOB), (NULL)) AS v(b)`,
    );
    expect(await load(key)).toMatchObject({ status: 'loaded', inserted: 4 });
    await expectHolds('blobs', [key]);
    const [row] = await driver.query(
      `${printedSelect(backend.name, driver.compiler, [{ name: 'b', type: { kind: 'binary' }, nullable: true }], 'blobs')} ORDER BY c0 LIMIT 1`,
    );
    expect(row?.c0).toBe('0001FF');
  });

  it('3. loads a decimal of more than 38 digits exactly where the warehouse holds it, else refuses it', async () => {
    const key = 'wide/a.parquet';
    await mkdir(join(lake, 'wide'), { recursive: true });
    parquetWriteFile({
      filename: join(lake, key),
      columnData: [
        {
          name: 'amount',
          data: [12345678901234567890123456780123456789n, 12345678901234567890123456780123456788n],
        },
      ],
      schema: [
        { name: 'root', num_children: 1 },
        {
          name: 'amount',
          type: 'BYTE_ARRAY',
          converted_type: 'DECIMAL',
          precision: 40,
          scale: 10,
          repetition_type: 'OPTIONAL',
        },
      ],
    });
    const result = await load(key);
    if (backend.name === 'duckdb') {
      expect(result).toMatchObject({ status: 'failed' });
      expect('error' in result && result.error).toMatch(
        /"amount" is decimal\(40,10\); DuckDB holds at most 38 digits/,
      );
      return;
    }
    // PostgreSQL's numeric holds it: both values, exact (read from the bytes, tests/wide-decimals.test.ts).
    expect(result).toMatchObject({ status: 'loaded', inserted: 2 });
    await expectHolds('wide', [key]);
  });

  it('4. refuses columns that differ only by case, naming both', async () => {
    // DuckDB renames a second "val" when it writes; hyparquet-writer keeps both names.
    const key = 'cases/a.parquet';
    await mkdir(join(lake, 'cases'), { recursive: true });
    parquetWriteFile({
      filename: join(lake, key),
      columnData: [
        { name: 'Val', data: [10], type: 'INT32' },
        { name: 'val', data: [20], type: 'INT32' },
      ],
    });
    const result = await load(key);
    expect(result).toMatchObject({ status: 'failed' });
    expect('error' in result && result.error).toMatch(/columns "Val" and "val" would be one column/);
  });

  it('4. loads folders that differ only by case as the warehouse names tables', async () => {
    const lower = await duckdbFile('events/a.parquet', `SELECT 1 AS id`);
    const upper = await duckdbFile('Events/b.parquet', `SELECT 2 AS id, 'x' AS note`);
    expect(await load(lower)).toMatchObject({ status: 'loaded', inserted: 1 });
    expect(await load(upper)).toMatchObject({ status: 'loaded', inserted: 1 });
    // DuckDB's names ignore case: one table that gained a column. PostgreSQL keeps two tables.
    const count = async (table: string) =>
      Number(
        (await driver.query(`SELECT count(*) AS n FROM ${driver.compiler.quoteIdentifier(table)}`))[0]?.n,
      );
    if (backend.name === 'duckdb') expect(await count('events')).toBe(2);
    else expect([await count('events'), await count('Events')]).toEqual([1, 1]);
  });

  it('5. loads a column name longer than the warehouse keeps, file after file', async () => {
    const long = `measurement_${'x'.repeat(58)}`;
    const first = await duckdbFile('long/a.parquet', `SELECT 1 AS id, 2 AS "${long}"`);
    const second = await duckdbFile('long/b.parquet', `SELECT 3 AS id, 4 AS "${long}"`);
    expect(await load(first)).toMatchObject({ status: 'loaded', inserted: 1 });
    expect(await load(second)).toMatchObject({ status: 'loaded', inserted: 1 });
    expect((await driver.query('SELECT count(*) AS n FROM long')).map((row) => Number(row.n))).toEqual([2]);
  });

  it('5. refuses a table name the warehouse would cut, where it cuts names', async () => {
    const table = `t${'x'.repeat(70)}`;
    const key = await duckdbFile(`${table}/a.parquet`, `SELECT 1 AS id`);
    const result = await load(key);
    if (backend.name === 'duckdb') {
      expect(result).toMatchObject({ status: 'loaded', inserted: 1 });
      return;
    }
    expect(result).toMatchObject({ status: 'failed' });
    expect('error' in result && result.error).toMatch(
      /is 71 bytes long; the warehouse keeps only 63 .*Rename the folder/,
    );
  });

  it("6. refuses columns named like the loader's own, with the way out", async () => {
    for (const name of ['file_row_number', '__lakeload_file', '__lakeload_path']) {
      const key = await duckdbFile(
        `internal_${name.replace(/_/g, '')}/a.parquet`,
        `SELECT 1 AS id, 2 AS "${name}"`,
      );
      const result = await load(key);
      expect(result).toMatchObject({ status: 'failed' });
      expect('error' in result && result.error).toMatch(
        new RegExp(`column "${name}" has a name the loader uses for its own bookkeeping.*rename the column`),
      );
    }
  });

  it('evolves across files: a struct that gains a field, a widened decimal, a list of wider integers', async () => {
    const first = await duckdbFile(
      'drift/a.parquet',
      `SELECT {'a': 1, 'b': 'x'} AS s, 1.5::DECIMAL(10,2) AS amount, [1::INTEGER, 2] AS ids`,
    );
    const second = await duckdbFile(
      'drift/b.parquet',
      `SELECT {'a': 2, 'b': 'y', 'c': DATE '2025-11-13'} AS s, 12345678901.25::DECIMAL(20,2) AS amount, [3000000000::BIGINT] AS ids`,
    );
    expect(await load(first)).toMatchObject({ status: 'loaded', inserted: 1 });
    expect(await load(second)).toMatchObject({ status: 'loaded', inserted: 1 });
    // The first file's struct reads back with the new field as null.
    const rows = await driver.query(
      `${printedSelect(
        backend.name,
        driver.compiler,
        [
          { name: 's', type: { kind: 'nested', shape: 'struct' }, nullable: true },
          { name: 'amount', type: { kind: 'decimal', precision: 20, scale: 2 }, nullable: true },
          { name: 'ids', type: { kind: 'nested', shape: 'list' }, nullable: true },
        ],
        'drift',
      )} ORDER BY c1`,
    );
    const canonicalRows = rows.map((row) => [
      JSON.parse(String(row.c0)),
      String(row.c1),
      JSON.parse(String(row.c2)),
    ]);
    expect(canonicalRows).toEqual([
      [backend.name === 'duckdb' ? { a: 1, b: 'x', c: null } : { a: 1, b: 'x' }, '1.50', [1, 2]],
      [{ a: 2, b: 'y', c: '2025-11-13' }, '12345678901.25', [3000000000]],
    ]);
  });

  it('refuses a struct field whose type narrows, under the evolve contract', async () => {
    const first = await duckdbFile('narrow/a.parquet', `SELECT {'a': 'text'} AS s`);
    const second = await duckdbFile('narrow/b.parquet', `SELECT {'a': 1} AS s`);
    expect(await load(first)).toMatchObject({ status: 'loaded' });
    const result = await load(second);
    if (backend.name === 'postgres') {
      // jsonb holds any JSON: a struct of other field types is still a JSON object.
      expect(result).toMatchObject({ status: 'loaded' });
      return;
    }
    expect(result).toMatchObject({ status: 'failed' });
    expect('error' in result && result.error).toMatch(
      /"s" is struct<a: string> in the table but struct<a: int32> in the file/,
    );
  });

  it('7. refuses uint64 into a DECIMAL(19,0) column with a schema-drift message', async () => {
    const first = await duckdbFile('counts/a.parquet', `SELECT 1::DECIMAL(19,0) AS n`);
    const second = await duckdbFile('counts/b.parquet', `SELECT 18446744073709551615::UBIGINT AS n`);
    expect(await load(first)).toMatchObject({ status: 'loaded' });
    const result = await load(second);
    expect(result).toMatchObject({ status: 'failed' });
    expect('error' in result && result.error).toMatch(
      /"n" is decimal\(19,0\) in the table but unsigned int64 in the file/,
    );
  });
});
