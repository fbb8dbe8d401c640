// Upsert semantics against real warehouses, with files written by a real Parquet writer.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader, type ObjectResult } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import type { ObjectStore } from '../../src/sources/store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { counting } from '../counting-driver.js';
import { rehearsedRedshift } from '../redshift-rehearsal.js';

// One suite, every warehouse: DuckDB in process, PostgreSQL on 127.0.0.1:5432 (each test in a
// schema of its own), and Redshift through the rehearsal's Data API endpoint, its COPY reading the
// files from a local S3 API server.

interface Opened {
  driver: Driver;
  /** The object a key names, as its event would (event time given, else the file's). */
  refOf(key: string, eventTime?: string): Promise<ObjectRef>;
  /** Where the loader reads the objects' bytes (footers; whole files for local warehouses). */
  store: ObjectStore;
  cleanup(): Promise<void>;
}

type Backend = {
  name: 'duckdb' | 'postgres' | 'redshift';
  /**
   * Whether the warehouse sees a row's position in its file. Redshift's COPY keeps no row order, so
   * there a tie within one file is refused rather than decided by "the last row of the file".
   */
  seesRowOrder: boolean;
  open: (lake: string) => Promise<Opened>;
};

/** Local folders as the bucket: DuckDB and PostgreSQL read the files from disk. */
async function localRef(lake: string, key: string, eventTime?: string): Promise<ObjectRef> {
  const ref = await localObject(lake, key);
  return eventTime === undefined ? ref : { ...ref, eventTime };
}

const backends: Backend[] = [
  {
    name: 'duckdb',
    seesRowOrder: true,
    open: async (lake) => ({
      driver: await duckdbWarehouse({ path: join(dirname(lake), 'warehouse.duckdb') }),
      refOf: (key, eventTime) => localRef(lake, key, eventTime),
      store: localStore(),
      cleanup: async () => {},
    }),
  },
  {
    name: 'postgres',
    seesRowOrder: true,
    open: async (lake) => {
      const schema = await createTestSchema('lakeload_test');
      return {
        driver: await postgresWarehouse({ connectionString: schema.url }),
        refOf: (key, eventTime) => localRef(lake, key, eventTime),
        store: localStore(),
        cleanup: schema.drop,
      };
    },
  },
  {
    name: 'redshift',
    seesRowOrder: false,
    open: async (lake) => {
      const redshift = await rehearsedRedshift();
      return {
        driver: redshift.driver,
        // Each event uploads the file's current bytes: the ref carries S3's own ETag.
        refOf: async (key, eventTime) => {
          const body = await readFile(join(lake, key));
          return redshift.publish(key, body, eventTime ?? new Date().toISOString());
        },
        store: redshift.store,
        cleanup: redshift.cleanup,
      };
    },
  },
];

let root: string;
let lake: string;
let driver: Driver;
let opened: Opened;
let loader: Loader;
let writer: DuckDBInstance;

/** Writes the rows of a SELECT to lake/<key> as Parquet. */
async function parquet(key: string, select: string): Promise<string> {
  const path = join(lake, key);
  await mkdir(dirname(path), { recursive: true });
  const connection = await writer.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  return key;
}

async function load(key: string): Promise<ObjectResult> {
  const [result] = await loader.loadObjects([await opened.refOf(key)], opened.store);
  return result as ObjectResult;
}

/** The objects of keys, each event one second after the previous from `second`: oldest first. */
async function refsOf(keys: readonly string[], second = 0): Promise<ObjectRef[]> {
  const refs: ObjectRef[] = [];
  for (const [index, key] of keys.entries())
    refs.push(await opened.refOf(key, new Date(Date.UTC(2025, 10, 13, 10, 0, second + index)).toISOString()));
  return refs;
}

/** Loads keys in one call, each object's event time one second after the previous: oldest first. */
async function loadBatch(keys: readonly string[]): Promise<ObjectResult[]> {
  return loader.loadObjects(await refsOf(keys), opened.store);
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await driver.query(sql)).map((row) => Object.values(row));
}

const orders = (values: string) =>
  `SELECT * FROM (VALUES ${values}) AS v(order_id, updated_at, status, total)`;

describe.each(backends)('$name loads', (backend) => {
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), `lakeload-${backend.name}-`));
    lake = join(root, 'lake');
    writer = await DuckDBInstance.create(':memory:');
    opened = await backend.open(lake);
    driver = opened.driver;
    loader = new Loader({ driver });
  });
  afterEach(async () => {
    await driver.close();
    await opened.cleanup();
    writer.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  it('inserts, then updates by key, and records each file in the ledger', async () => {
    await parquet(
      'order_summary/a.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 10.50::DECIMAL(12,2)), (2, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 20.00), (3, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'pending', 5.25)`,
      ),
    );
    expect(await load('order_summary/a.parquet')).toMatchObject({
      status: 'loaded',
      table: 'order_summary',
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });
    await parquet(
      'order_summary/b.parquet',
      orders(
        `(2::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 20.00::DECIMAL(12,2)), (4, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 7.00)`,
      ),
    );
    expect(await load('order_summary/b.parquet')).toMatchObject({
      status: 'loaded',
      inserted: 1,
      updated: 1,
      unchanged: 0,
    });
    expect(
      await rows(
        'SELECT CAST(order_id AS VARCHAR), status, CAST(total AS VARCHAR) FROM order_summary ORDER BY order_id',
      ),
    ).toEqual([
      ['1', 'paid', '10.50'],
      ['2', 'shipped', '20.00'],
      ['3', 'pending', '5.25'],
      ['4', 'paid', '7.00'],
    ]);
    expect(
      await rows(
        'SELECT target_table, status, CAST(rows_inserted AS VARCHAR), CAST(rows_updated AS VARCHAR) FROM lakeload_load_history ORDER BY recorded_at',
      ),
    ).toEqual([
      ['order_summary', 'loaded', '3', '0'],
      ['order_summary', 'loaded', '1', '1'],
    ]);
  });

  it('never lets an older file overwrite newer rows, and keeps the newest of in-file duplicates', async () => {
    await parquet(
      'order_summary/new.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'delivered', 1.00::DECIMAL(12,2))`),
    );
    await parquet(
      'order_summary/late.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2)), (2, TIMESTAMPTZ '2025-11-13 09:00:00+00', 'pending', 2.00), (2, TIMESTAMPTZ '2025-11-13 11:00:00+00', 'paid', 2.00), (2, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'lost', 2.00)`,
      ),
    );
    await load('order_summary/new.parquet');
    expect(await load('order_summary/late.parquet')).toMatchObject({
      status: 'loaded',
      inserted: 1,
      updated: 0,
      unchanged: 3,
    });
    expect(
      await rows('SELECT CAST(order_id AS VARCHAR), status FROM order_summary ORDER BY order_id'),
    ).toEqual([
      ['1', 'delivered'],
      ['2', 'paid'],
    ]);
  });

  it('never lets a row without a version replace a versioned one', async () => {
    await parquet(
      'order_summary/v.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'delivered', 1.00::DECIMAL(12,2))`),
    );
    await parquet(
      'order_summary/n.parquet',
      orders(`(1::BIGINT, NULL::TIMESTAMPTZ, 'unknown', 1.00::DECIMAL(12,2))`),
    );
    await load('order_summary/v.parquet');
    expect(await load('order_summary/n.parquet')).toMatchObject({
      status: 'loaded',
      inserted: 0,
      updated: 0,
      unchanged: 1,
    });
    expect(await rows('SELECT status FROM order_summary')).toEqual([['delivered']]);
  });

  it('takes the last row of equal versions in a file where the warehouse sees row order (Redshift refuses the tie), upserts composite keys, and appends to keyless tables', async () => {
    await parquet(
      'order_items/i.parquet',
      `SELECT * FROM (VALUES (1::BIGINT, 1, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'first'), (1, 2, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'x'), (1, 1, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'second')) AS v(order_id, line_number, updated_at, sku)`,
    );
    const result = await load('order_items/i.parquet');
    if (backend.seesRowOrder) {
      expect(result).toMatchObject({ inserted: 2, unchanged: 1 });
      expect(await rows('SELECT line_number, sku FROM order_items ORDER BY line_number')).toEqual([
        [1, 'second'],
        [2, 'x'],
      ]);
    } else {
      // COPY keeps no row order: which row is last is unknown, so the file is refused, not guessed.
      expect(result).toMatchObject({ status: 'failed', retryable: false });
      if (result.status === 'failed') expect(result.error).toMatch(/two rows of one key tie in one file/);
      expect(await rows('SELECT CAST(count(*) AS VARCHAR) FROM order_items')).toEqual([['0']]);
    }
    await parquet(
      'order_items/j.parquet',
      `SELECT * FROM (VALUES (1::BIGINT, 1, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'third'), (1, 3, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'y')) AS v(order_id, line_number, updated_at, sku)`,
    );
    expect(await load('order_items/j.parquet')).toMatchObject({ status: 'loaded' });
    expect(
      await rows(
        'SELECT line_number, sku FROM order_items WHERE order_id = 1 AND line_number <> 2 ORDER BY line_number',
      ),
    ).toEqual([
      [1, 'third'],
      [3, 'y'],
    ]);
    await parquet('clicks/c1.parquet', `SELECT * FROM (VALUES (1, 'a'), (1, 'a')) AS v(id, page)`);
    await parquet('clicks/c2.parquet', `SELECT * FROM (VALUES (1, 'a')) AS v(id, page)`);
    await load('clicks/c1.parquet');
    await load('clicks/c2.parquet');
    expect(await rows('SELECT CAST(count(*) AS VARCHAR) FROM clicks')).toEqual([['3']]);
  });

  it('loads a file once per content: a repeated event is a duplicate, new content under the same key loads', async () => {
    await parquet(
      'order_summary/a.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2))`),
    );
    expect((await load('order_summary/a.parquet')).status).toBe('loaded');
    expect(await load('order_summary/a.parquet')).toMatchObject({
      status: 'duplicate',
      table: 'order_summary',
    });
    await parquet(
      'order_summary/a.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 1.00::DECIMAL(12,2))`),
    );
    expect(await load('order_summary/a.parquet')).toMatchObject({ status: 'loaded', updated: 1 });
    expect(await rows('SELECT status FROM order_summary')).toEqual([['shipped']]);
    expect(
      await rows("SELECT CAST(count(*) AS VARCHAR) FROM lakeload_load_history WHERE status = 'loaded'"),
    ).toEqual([['2']]);
  });

  it('adds a column that appears in a later file, and still loads older files without it', async () => {
    await parquet(
      'order_summary/v1.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2))`),
    );
    await parquet(
      'order_summary/v2.parquet',
      `SELECT *, 'VIP20' AS coupon_code FROM (${orders(`(2::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 2.00::DECIMAL(12,2))`)})`,
    );
    await parquet(
      'order_summary/v1b.parquet',
      orders(`(3::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 3.00::DECIMAL(12,2))`),
    );
    for (const key of ['order_summary/v1.parquet', 'order_summary/v2.parquet', 'order_summary/v1b.parquet']) {
      expect((await load(key)).status).toBe('loaded');
    }
    expect(
      await rows('SELECT CAST(order_id AS VARCHAR), coupon_code FROM order_summary ORDER BY order_id'),
    ).toEqual([
      ['1', null],
      ['2', 'VIP20'],
      ['3', null],
    ]);
  });

  it.each([
    [
      'a column that changes type',
      `SELECT 'one' AS order_id, TIMESTAMPTZ '2025-11-13 10:00:00+00' AS updated_at`,
      /"order_id" is int64 in the table but string in the file/,
    ],
    [
      'a null key',
      `SELECT NULL::BIGINT AS order_id, TIMESTAMPTZ '2025-11-13 10:00:00+00' AS updated_at`,
      /rows have no value in the key \(order_id\)/,
    ],
    [
      'a missing key column',
      `SELECT TIMESTAMPTZ '2025-11-13 10:00:00+00' AS updated_at`,
      /the file has no column "order_id"/,
    ],
  ])('fails a file with %s clearly and changes nothing else', async (_name, select, message) => {
    await parquet(
      'order_summary/good.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2))`),
    );
    await load('order_summary/good.parquet');
    await parquet('order_summary/bad.parquet', select);
    const result = await load('order_summary/bad.parquet');
    expect(result.status).toBe('failed');
    if (result.status === 'failed') {
      expect(result.error).toMatch(message);
      expect(result.retryable).toBe(false);
      expect(result.tip.length).toBeGreaterThan(10);
    }
    // The failure is a dead letter and a failed ledger row; the table is untouched.
    expect((await loader.deadLetters()).map((letter) => letter.uri)).toEqual([result.uri]);
    expect(await rows(`SELECT status, error FROM lakeload_load_history WHERE status = 'failed'`)).toEqual([
      ['failed', expect.stringMatching(message)],
    ]);
    expect(await rows('SELECT CAST(order_id AS VARCHAR), status FROM order_summary')).toEqual([
      ['1', 'paid'],
    ]);
  });
  it('widens a decimal whose precision grows in a later file, and keeps a 70,000-character string whole', async () => {
    await parquet(
      'amounts/a.parquet',
      `SELECT 1 AS id, 12.34::DECIMAL(10,2) AS amount, repeat('x', 70000) AS note`,
    );
    await parquet(
      'amounts/b.parquet',
      `SELECT 2 AS id, 123456789012.34::DECIMAL(14,2) AS amount, 'short' AS note`,
    );
    if (backend.name === 'redshift') {
      // Redshift's strings hold 65,535 bytes, and it changes no column type in place.
      const a = await load('amounts/a.parquet');
      expect(a).toMatchObject({ status: 'failed', retryable: false });
      if (a.status === 'failed') expect(a.error).toMatch(/String length exceeds DDL length/);
      const b = await load('amounts/b.parquet');
      expect(b).toMatchObject({ status: 'failed', retryable: false });
      if (b.status === 'failed') expect(b.error).toMatch(/Redshift cannot change a column's type in place/);
      return;
    }
    expect((await load('amounts/a.parquet')).status).toBe('loaded');
    expect((await load('amounts/b.parquet')).status).toBe('loaded');
    expect(
      await rows('SELECT CAST(amount AS VARCHAR), CAST(length(note) AS VARCHAR) FROM amounts ORDER BY id'),
    ).toEqual([
      ['12.34', '70000'],
      ['123456789012.34', '5'],
    ]);
  });

  it('loads nanosecond timestamps where the warehouse keeps them, and refuses them clearly where it does not', async () => {
    await parquet('ticks/t.parquet', `SELECT 1 AS id, TIMESTAMP_NS '2025-11-13 10:00:00.123456789' AS at`);
    const result = await load('ticks/t.parquet');
    if (backend.name === 'postgres') {
      expect(result.status).toBe('failed');
      if (result.status === 'failed')
        expect(result.error).toMatch(/"at" is a timestamp in nanoseconds; PostgreSQL keeps microseconds/);
    } else if (backend.name === 'redshift') {
      expect(result.status).toBe('failed');
      if (result.status === 'failed')
        expect(result.error).toMatch(
          /"at" is a timestamp in nanoseconds, which Redshift loads as absurd dates/,
        );
    } else {
      expect(result).toMatchObject({ status: 'loaded', inserted: 1 });
    }
  });

  it('loads tables and columns whose names hold quotes, semicolons and reserved words', async () => {
    const table = `we"ird; DROP TABLE order_summary; --`;
    await parquet(`${table}/x.parquet`, `SELECT 1 AS "select", 'a' AS "naïve ""col""; --"`);
    expect(await load(`${table}/x.parquet`)).toMatchObject({ status: 'loaded', table, inserted: 1 });
    expect(
      await rows(`SELECT "select", "naïve ""col""; --" FROM "we""ird; DROP TABLE order_summary; --"`),
    ).toEqual([[1, 'a']]);
  });

  it('loads a batch in one transaction: dedupes across files by version, an older stored row is kept, one ledger row per file', async () => {
    await parquet(
      'order_summary/stored.parquet',
      orders(`(3::BIGINT, TIMESTAMPTZ '2025-11-15 10:00:00+00', 'delivered', 3.00::DECIMAL(12,2))`),
    );
    expect((await load('order_summary/stored.parquet')).status).toBe('loaded');
    await parquet(
      'order_summary/b1.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 1.00::DECIMAL(12,2)), (2, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 2.00), (3, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 3.00)`,
      ),
    );
    // Newer file, but its row for order 1 is an older version: the first file's row wins.
    await parquet(
      'order_summary/b2.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2)), (2, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 2.00), (4, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 4.00)`,
      ),
    );
    const results = await loadBatch(['order_summary/b1.parquet', 'order_summary/b2.parquet']);
    expect(results).toMatchObject([
      { status: 'loaded', table: 'order_summary', inserted: 1, updated: 0, unchanged: 2 },
      { status: 'loaded', table: 'order_summary', inserted: 2, updated: 0, unchanged: 1 },
    ]);
    expect(
      await rows('SELECT CAST(order_id AS VARCHAR), status FROM order_summary ORDER BY order_id'),
    ).toEqual([
      ['1', 'shipped'],
      ['2', 'shipped'],
      ['3', 'delivered'],
      ['4', 'paid'],
    ]);
    expect(
      await rows(
        "SELECT object_uri, CAST(rows_inserted AS VARCHAR), CAST(rows_unchanged AS VARCHAR) FROM lakeload_load_history WHERE object_uri LIKE '%/b_.parquet' ORDER BY object_uri",
      ),
    ).toEqual([
      [expect.stringMatching(/b1\.parquet$/), '1', '2'],
      [expect.stringMatching(/b2\.parquet$/), '2', '1'],
    ]);
  });

  it('without a version, the newest file wins (and, where the warehouse sees row order, the last row of a file), and stored rows replaced count as updates', async () => {
    const settings = { keys: ['id'], contract: 'evolve' as const };
    loader = new Loader({ driver, tables: { notes: settings } });
    await parquet('notes/n0.parquet', `SELECT * FROM (VALUES (1, 'stored'), (2, 'stored')) AS v(id, note)`);
    expect((await load('notes/n0.parquet')).status).toBe('loaded');
    // A key repeated within a file only where the warehouse can tell which row is last.
    const repeat = (row: string) => (backend.seesRowOrder ? `, ${row}` : '');
    await parquet(
      'notes/n1.parquet',
      `SELECT * FROM (VALUES (1, 'a')${repeat("(1, 'b')")}, (3, 'x')) AS v(id, note)`,
    );
    await parquet(
      'notes/n2.parquet',
      `SELECT * FROM (VALUES (1, 'c'), (2, 'd')${repeat("(1, 'e')")}) AS v(id, note)`,
    );
    // Handed over newest first: the event times order them.
    const [n1, n2] = await refsOf(['notes/n1.parquet', 'notes/n2.parquet'], 9);
    const results = await loader.loadObjects([n2 as ObjectRef, n1 as ObjectRef], opened.store);
    const repeated = backend.seesRowOrder ? 1 : 0;
    expect(results).toMatchObject([
      { status: 'loaded', inserted: 0, updated: 2, unchanged: repeated },
      { status: 'loaded', inserted: 1, updated: 0, unchanged: 1 + repeated },
    ]);
    expect(await rows('SELECT id, note FROM notes ORDER BY id')).toEqual([
      [1, backend.seesRowOrder ? 'e' : 'c'],
      [2, 'd'],
      [3, 'x'],
    ]);
  });

  it('refuses a file whose key repeats without a version where the warehouse cannot see row order', async () => {
    loader = new Loader({ driver, tables: { notes: { keys: ['id'], contract: 'evolve' } } });
    await parquet('notes/r.parquet', `SELECT * FROM (VALUES (1, 'a'), (1, 'b')) AS v(id, note)`);
    const result = await load('notes/r.parquet');
    if (backend.seesRowOrder) expect(result).toMatchObject({ status: 'loaded', inserted: 1, unchanged: 1 });
    else {
      expect(result).toMatchObject({ status: 'failed', retryable: false });
      if (result.status === 'failed') expect(result.error).toMatch(/two rows of one key tie in one file/);
    }
  });

  it("credits each file of a batch with its own rows, and the sums over files are the table's change", async () => {
    // Micro-batches as the rehearsal sends them: several files of one table in one load, keys
    // spread over the files, some replacing stored rows, some older than what is stored.
    await parquet(
      'order_summary/s.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2)), (2, TIMESTAMPTZ '2025-11-15 10:00:00+00', 'delivered', 2.00), (3, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 3.00)`,
      ),
    );
    expect(await load('order_summary/s.parquet')).toMatchObject({ inserted: 3 });
    await parquet(
      'order_summary/f1.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 1.00::DECIMAL(12,2)), (2, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 2.00), (10, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 10.00), (11, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 11.00)`,
      ),
    );
    await parquet(
      'order_summary/f2.parquet',
      orders(
        `(3::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'shipped', 3.00::DECIMAL(12,2)), (10, TIMESTAMPTZ '2025-11-15 10:00:00+00', 'shipped', 10.00), (12, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 12.00)`,
      ),
    );
    await parquet(
      'order_summary/f3.parquet',
      orders(`(13::BIGINT, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 13.00::DECIMAL(12,2))`),
    );
    await parquet(
      'order_summary/f4.parquet',
      orders(
        `(1::BIGINT, TIMESTAMPTZ '2025-11-16 10:00:00+00', 'delivered', 1.00::DECIMAL(12,2)), (14, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 14.00), (15, TIMESTAMPTZ '2025-11-14 10:00:00+00', 'paid', 15.00)`,
      ),
    );
    const keys = ['f1', 'f2', 'f3', 'f4'].map((name) => `order_summary/${name}.parquet`);
    const results = await loadBatch(keys);
    const counts = results.map((result) =>
      result.status === 'loaded' ? [result.inserted, result.updated, result.unchanged] : result.status,
    );
    // f1: 1 and 10 lose to newer rows (f4, f2), 2 is older than stored; 11 is new.
    // f2: 3 replaces the stored row, 10 is new, 12 is new. f3: 13 new. f4: 1 replaces, 14 and 15 new.
    expect(counts).toEqual([
      [1, 0, 3],
      [2, 1, 0],
      [1, 0, 0],
      [2, 1, 0],
    ]);
    const ledger = await rows(
      "SELECT object_uri, CAST(rows_inserted AS VARCHAR), CAST(rows_updated AS VARCHAR), CAST(rows_unchanged AS VARCHAR) FROM lakeload_load_history WHERE object_uri LIKE '%/f_.parquet' ORDER BY object_uri",
    );
    expect(ledger.map((row) => row.slice(1))).toEqual(counts.map((row) => (row as number[]).map(String)));
    // Inserted rows summed over the files are the rows the table gained; updated, those it replaced.
    expect(await rows('SELECT CAST(count(*) AS VARCHAR) FROM order_summary')).toEqual([
      [String(3 + 1 + 2 + 1 + 2)],
    ]);
    expect(
      await rows('SELECT CAST(order_id AS VARCHAR) AS id, status FROM order_summary ORDER BY order_id'),
    ).toEqual([
      ['1', 'delivered'],
      ['2', 'delivered'],
      ['3', 'shipped'],
      ['10', 'shipped'],
      ['11', 'paid'],
      ['12', 'paid'],
      ['13', 'paid'],
      ['14', 'paid'],
      ['15', 'paid'],
    ]);
  });

  it('breaks ties of equal versions by file: the newest file of a batch wins every key', async () => {
    // 40 keys, each in both files with the same version: a rule that numbered ties at random
    // would pick the older file for about half of them.
    const values = (status: string) =>
      Array.from(
        { length: 40 },
        (_, n) => `(${n}::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', '${status}', 1.00::DECIMAL(12,2))`,
      ).join(', ');
    await parquet('order_summary/old.parquet', orders(values('old')));
    await parquet('order_summary/new.parquet', orders(values('new')));
    const results = await loadBatch(['order_summary/old.parquet', 'order_summary/new.parquet']);
    expect(results).toMatchObject([
      { status: 'loaded', inserted: 0, updated: 0, unchanged: 40 },
      { status: 'loaded', inserted: 40, updated: 0, unchanged: 0 },
    ]);
    expect(await rows('SELECT status, CAST(count(*) AS VARCHAR) FROM order_summary GROUP BY status')).toEqual(
      [['new', '40']],
    );
  });

  it('appends every file of a keyless batch, and reports files already loaded or repeated as duplicates', async () => {
    await parquet('clicks/c1.parquet', `SELECT * FROM (VALUES (1, 'a'), (1, 'a')) AS v(id, page)`);
    await parquet('clicks/c2.parquet', `SELECT * FROM (VALUES (2, 'b')) AS v(id, page)`);
    await parquet('clicks/c3.parquet', `SELECT * FROM (VALUES (3, 'c')) AS v(id, page)`);
    expect((await load('clicks/c1.parquet')).status).toBe('loaded');
    const results = await loadBatch([
      'clicks/c1.parquet',
      'clicks/c2.parquet',
      'clicks/c3.parquet',
      'clicks/c2.parquet',
    ]);
    expect(results.map((result) => result.status)).toEqual(['duplicate', 'loaded', 'loaded', 'duplicate']);
    expect(await rows('SELECT id, page FROM clicks ORDER BY id')).toEqual([
      [1, 'a'],
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(
      await rows("SELECT CAST(count(*) AS VARCHAR) FROM lakeload_load_history WHERE status = 'loaded'"),
    ).toEqual([['3']]);
  });

  it('loads the rest of a batch when one file fails for good: only that file becomes a dead letter', async () => {
    await parquet(
      'order_summary/ok1.parquet',
      orders(`(1::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2))`),
    );
    await parquet(
      'order_summary/nullkey.parquet',
      orders(`(NULL::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 1.00::DECIMAL(12,2))`),
    );
    await parquet(
      'order_summary/ok2.parquet',
      orders(`(2::BIGINT, TIMESTAMPTZ '2025-11-13 10:00:00+00', 'paid', 2.00::DECIMAL(12,2))`),
    );
    const batches: number[] = [];
    loader = new Loader({ driver: counting(driver, batches) });
    const results = await loadBatch([
      'order_summary/ok1.parquet',
      'order_summary/nullkey.parquet',
      'order_summary/ok2.parquet',
    ]);
    expect(results.map((result) => result.status)).toEqual(['loaded', 'failed', 'loaded']);
    // One transaction for the batch, then one per file once it failed for good.
    expect(batches).toEqual([3, 1, 1, 1]);
    const failed = results[1];
    if (failed?.status === 'failed') {
      expect(failed.error).toMatch(/nullkey\.parquet.* rows have no value in the key \(order_id\)/);
      expect(failed.retryable).toBe(false);
    }
    expect((await loader.deadLetters()).map((letter) => letter.uri)).toEqual([failed?.uri]);
    expect(await rows('SELECT CAST(order_id AS VARCHAR) FROM order_summary ORDER BY order_id')).toEqual([
      ['1'],
      ['2'],
    ]);
  });

  it('refuses to record a file as loaded when fewer rows were staged than its footer declares', async () => {
    await parquet('clicks/c1.parquet', `SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, page)`);
    expect((await load('clicks/c1.parquet')).status).toBe('loaded');
    await parquet('clicks/c2.parquet', `SELECT * FROM (VALUES (3, 'c')) AS v(id, page)`);
    const ref = await opened.refOf('clicks/c2.parquet');
    const columns = (await driver.tableColumns('clicks')) ?? [];
    const remote = driver.capabilities.copiesFromObjectStore;
    const path = remote ? `s3://${ref.bucket}/${ref.key}` : join(lake, 'clicks', 'c2.parquet');
    const job = {
      table: 'clicks',
      settings: { keys: [], contract: 'evolve' as const },
      columns,
      object: ref,
      path,
      objectUri: remote ? path : `file://${path}`,
      identity: ref.etag,
      rows: 2,
    };
    await expect(driver.load([job])).rejects.toThrow(
      /c2\.parquet.* rows (were staged but its footer declares|staged differ from the) 2/,
    );
    expect(await rows('SELECT CAST(count(*) AS VARCHAR) FROM clicks')).toEqual([['2']]);
    expect(
      await rows("SELECT CAST(count(*) AS VARCHAR) FROM lakeload_load_history WHERE status = 'loaded'"),
    ).toEqual([['1']]);
  });
});
