// Files nobody here wrote, beyond the corpus and the type matrix (issues 10 and 11 followed up):
// each written at test time by DuckDB or hyparquet-writer, loaded twice on every real warehouse and
// compared with DuckDB's own reading of the file, or refused with a message that names the column
// and the fix.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbRows, printedSelect } from '@lakeload/testkit/fingerprint';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader, type ObjectResult } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { expectTableHolds, realWarehouses } from '../warehouses.js';

const backends = realWarehouses('lakeload_hostile');

/** `count` integer columns c0, c1, … holding their own number, as a DuckDB SELECT. */
const columnsSelect = (count: number) =>
  `SELECT ${Array.from({ length: count }, (_, index) => `${index} AS c${index}`).join(', ')}`;

describe.each(backends)('hostile files on $name', (backend) => {
  let root: string;
  let lake: string;
  let driver: Driver;
  let cleanup: () => Promise<void>;
  let writer: DuckDBInstance;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), `lakeload-hostile-${backend.name}-`));
    lake = join(root, 'lake');
    ({ driver, cleanup } = await backend.open(root));
    writer = await DuckDBInstance.create(':memory:');
  });
  afterEach(async () => {
    await driver.close();
    await cleanup();
    writer.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  /** Writes the rows of a DuckDB SELECT to lake/<key>, with COPY's `options`. */
  async function duckdbFile(key: string, select: string, options = ''): Promise<string> {
    const path = join(lake, key);
    await mkdir(dirname(path), { recursive: true });
    const connection = await writer.connect();
    await connection.run(
      `COPY (${select}) TO '${path.replaceAll("'", "''")}' (FORMAT parquet${options ? `, ${options}` : ''})`,
    );
    connection.closeSync();
    return key;
  }

  /** Loads each key in turn, as files arriving one after the other. */
  async function load(keys: readonly string[], loader = new Loader({ driver })): Promise<ObjectResult[]> {
    const results: ObjectResult[] = [];
    for (const key of keys)
      results.push(await loader.loadFile(await localObject(lake, key), join(lake, key)));
    return results;
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

  const statuses = (results: readonly ObjectResult[]) =>
    results.map((result) => [result.status, 'error' in result ? result.error : undefined]);

  it('loads a file of 1,100 columns, keyless and keyed', async () => {
    const keys = [
      await duckdbFile('wide/a.parquet', columnsSelect(1100)),
      await duckdbFile('wide/b.parquet', columnsSelect(1100)),
    ];
    expect(statuses(await load(keys))).toEqual([
      ['loaded', undefined],
      ['loaded', undefined],
    ]);
    await expectHolds('wide', keys);
    const keyed = [
      await duckdbFile('wide_keyed/a.parquet', columnsSelect(1100)),
      await duckdbFile('wide_keyed/b.parquet', columnsSelect(1100)),
    ];
    const loader = new Loader({ driver, tables: { wide_keyed: { keys: ['c0'], contract: 'evolve' } } });
    expect(await load(keyed, loader)).toMatchObject([
      { status: 'loaded', inserted: 1 },
      { status: 'loaded', inserted: 0, updated: 1 },
    ]);
  });

  it('refuses a file of more columns than staging can hold before creating its table', async () => {
    const key = await duckdbFile('columns/a.parquet', columnsSelect(1599));
    const [result] = await load([key]);
    if (backend.name === 'duckdb') {
      expect(result).toMatchObject({ status: 'loaded', inserted: 1 });
      return;
    }
    expect(result).toMatchObject({ status: 'failed' });
    expect(result && 'error' in result && result.error).toMatch(
      /columns: the file has 1599 columns; this warehouse loads at most 1598 .*Split the file's columns/,
    );
    expect(await driver.tableColumns('columns')).toBeUndefined();
  });

  it("refuses a column named like the warehouse's system columns, and loads the batch's other files", async () => {
    const bad = await duckdbFile('sys/a.parquet', `SELECT 1 AS id, 2 AS ctid`);
    const good = await duckdbFile('plain/a.parquet', `SELECT 1 AS id`);
    const refs = [await localObject(lake, bad), await localObject(lake, good)];
    const [refused, loaded] = await new Loader({ driver }).loadObjects(refs, localStore());
    expect(loaded).toMatchObject({ status: 'loaded', inserted: 1 });
    if (backend.name === 'duckdb') {
      expect(refused).toMatchObject({ status: 'loaded', inserted: 1 });
      return;
    }
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused && 'error' in refused && refused.error).toMatch(
      /sys: the file's column "ctid" has the name of a system column .*rename the column in the file/,
    );
  });

  it('refuses a column without a name, saying which', async () => {
    await mkdir(join(lake, 'unnamed'), { recursive: true });
    parquetWriteFile({
      filename: join(lake, 'unnamed/a.parquet'),
      columnData: [
        { name: 'id', data: [1], type: 'INT32' },
        { name: '', data: [2], type: 'INT32' },
      ],
    });
    const [result] = await load(['unnamed/a.parquet']);
    expect(result).toMatchObject({ status: 'failed' });
    expect(result && 'error' in result && result.error).toMatch(
      /unnamed: the file's column 2 is named "", which no SQL identifier can be; give it a name/,
    );
  });

  it('a UTC nanosecond timestamp after a microsecond one: as DuckDB reads it, else refused naming nanoseconds', async () => {
    const micros = await duckdbFile(
      'ns/a.parquet',
      `SELECT TIMESTAMPTZ '2025-11-13 10:00:00.123456+00' AS at`,
    );
    await mkdir(join(lake, 'ns'), { recursive: true });
    parquetWriteFile({
      filename: join(lake, 'ns/b.parquet'),
      columnData: [{ name: 'at', data: [1763028000123456789n] }],
      schema: [
        { name: 'root', num_children: 1 },
        {
          name: 'at',
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' },
          repetition_type: 'OPTIONAL',
        },
      ],
    });
    const [first, second] = await load([micros, 'ns/b.parquet']);
    expect(first).toMatchObject({ status: 'loaded', inserted: 1 });
    if (backend.name === 'duckdb') {
      expect(second).toMatchObject({ status: 'loaded', inserted: 1 });
      await expectHolds('ns', [micros, 'ns/b.parquet']);
      return;
    }
    expect(second).toMatchObject({ status: 'failed' });
    expect(second && 'error' in second && second.error).toMatch(
      /column "at" is a timestamp in nanoseconds; PostgreSQL keeps microseconds/,
    );
  });

  it('refuses a decimal whose scale exceeds its precision, naming the file and the column', async () => {
    await mkdir(join(lake, 'scale'), { recursive: true });
    parquetWriteFile({
      filename: join(lake, 'scale/a.parquet'),
      columnData: [{ name: 'amount', data: [5, null] }],
      schema: [
        { name: 'root', num_children: 1 },
        {
          name: 'amount',
          type: 'INT32',
          converted_type: 'DECIMAL',
          precision: 2,
          scale: 4,
          repetition_type: 'OPTIONAL',
        },
      ],
    });
    const [result] = await load(['scale/a.parquet']);
    expect(result).toMatchObject({ status: 'failed', retryable: false });
    expect(result && 'error' in result && result.error).toMatch(
      /scale\/a\.parquet: column "amount" is annotated decimal\(2,4\), which Parquet does not allow .*rewrite the file/,
    );
  });

  it('loads decimals of every precision and scale, floats at their limits and far dates, as DuckDB reads them', async () => {
    const decimals: string[] = [];
    for (let precision = 1; precision <= 38; precision++) {
      for (const scale of new Set([0, Math.floor(precision / 2), precision])) {
        const digits = `${'9'.repeat(precision - scale)}${scale ? `.${'9'.repeat(scale)}` : ''}`;
        decimals.push(`'-${digits}'::DECIMAL(${precision},${scale}) AS "d${precision}_${scale}"`);
      }
    }
    const select = `SELECT ${decimals.join(', ')}, v AS f64, CASE WHEN abs(v) < 3e38 OR isinf(v) OR isnan(v) THEN v END::FLOAT AS f32, d FROM (VALUES
      (1.7976931348623157e308::DOUBLE, DATE '0001-01-01'), (4.9e-324, DATE '9999-12-31'), (-0.0, DATE '-4000-01-01'),
      ('nan', NULL), ('inf', NULL), ('-inf', NULL), (NULL, NULL)) AS t(v, d)`;
    const keys = [
      await duckdbFile('limits/a.parquet', select, 'COMPRESSION zstd, ROW_GROUP_SIZE 2'),
      await duckdbFile('limits/b.parquet', select, 'PARQUET_VERSION v2, COMPRESSION gzip'),
    ];
    expect(statuses(await load(keys))).toEqual([
      ['loaded', undefined],
      ['loaded', undefined],
    ]);
    await expectHolds('limits', keys);
  });

  it("a DuckDB UNION (a struct whose tag has no name): PostgreSQL's jsonb holds it, DuckDB refuses it clearly", async () => {
    const key = await duckdbFile(
      'tagged/a.parquet',
      `SELECT * FROM (VALUES (1::UNION(i INTEGER, s VARCHAR)), ('x'::UNION(i INTEGER, s VARCHAR)), (NULL)) AS t(v)`,
    );
    const [result] = await load([key]);
    if (backend.name === 'postgres') {
      expect(result).toMatchObject({ status: 'loaded', inserted: 3 });
      await expectHolds('tagged', [key]);
      return;
    }
    expect(result).toMatchObject({ status: 'failed' });
    expect(result && 'error' in result && result.error).toMatch(
      /column "v" is a struct with a field without a name .*Give every field a name/,
    );
  });

  it('loads a GeoParquet file (WKB under "geo" metadata, as DuckDB and GeoPandas write it) as its bytes', async () => {
    const select = `SELECT * FROM (VALUES (1, 'POINT(1 2)'::GEOMETRY), (2, 'LINESTRING(0 0, 1 1)'::GEOMETRY), (3, NULL)) AS t(id, g)`;
    const keys = [await duckdbFile('geo/a.parquet', select), await duckdbFile('geo/b.parquet', select)];
    expect(statuses(await load(keys))).toEqual([
      ['loaded', undefined],
      ['loaded', undefined],
    ]);
    const connection = await writer.connect();
    const wkb = await duckdbRows(connection)(
      `SELECT hex(ST_AsWKB(g)) AS c0 FROM read_parquet(${driver.compiler.quoteLiteral(join(lake, keys[0] as string))})`,
    );
    connection.closeSync();
    const stored = await driver.query(
      printedSelect(backend.name, driver.compiler, [{ name: 'g', type: { kind: 'binary' } }], 'geo'),
    );
    const sorted = (rows: Record<string, unknown>[]) => rows.map((row) => String(row.c0)).sort();
    expect(sorted(stored)).toEqual(sorted([...wkb, ...wkb]));
  });
});
