// Backfill and reconcile over a local folder, the same assertions on DuckDB and PostgreSQL: a lake
// loaded in part, reconciled (each drift class), backfilled (exactly the rest, each file once, rows
// equal to an oracle computed from the Parquet files), a re-upload with new content loaded again,
// and a dry run that changes nothing.
import { cp, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { convert } from '@lakeload/convert';
import { generateOrdersFile } from '@lakeload/orders';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObjects } from '../../src/events/local-tree.js';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import { type Listing, localListing } from '../../src/reconcile/listing.js';
import { backfill, hasDrift, reconcile } from '../../src/reconcile/reconcile.js';
import { localStore } from '../../src/sources/local-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';

let root: string;
let lake: string;

const CHECKS: Record<string, { line: string; keys: string }> = {
  order_summary: {
    line: `CAST(order_id AS VARCHAR) || '|' || status || '|' || CAST(total AS VARCHAR)`,
    keys: 'order_id',
  },
  order_items: {
    line: `CAST(order_id AS VARCHAR) || '|' || CAST(line_number AS VARCHAR) || '|' || sku || '|' || CAST(quantity AS VARCHAR)`,
    keys: 'order_id, line_number',
  },
};

/** The newest row per key of every Parquet file of a table now under `dir`, one line per row. */
async function oracle(dir: string, table: string): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const check = CHECKS[table] as { line: string; keys: string };
    const newest = `SELECT * FROM read_parquet('${dir}/*/*/*/${table}/*.parquet', union_by_name = true) QUALIFY row_number() OVER (PARTITION BY ${check.keys} ORDER BY updated_at DESC) = 1`;
    const reader = await connection.runAndReadAll(
      `SELECT ${check.line} AS line FROM (${newest}) ORDER BY line`,
    );
    return reader.getRows().map(([line]) => String(line));
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

async function expectOracle(driver: Driver, dir: string): Promise<void> {
  for (const [table, check] of Object.entries(CHECKS)) {
    const rows = await driver.query(`SELECT ${check.line} AS line FROM ${table} ORDER BY line`);
    expect(
      rows.map((row) => String(row.line)),
      table,
    ).toEqual(await oracle(dir, table));
  }
}

/** Ledger rows with status loaded, per object URI. */
async function loadedPerUri(driver: Driver): Promise<Map<string, number>> {
  const rows = await driver.query(
    `SELECT object_uri, count(*) AS n FROM lakeload_load_history WHERE status = 'loaded' GROUP BY object_uri`,
  );
  return new Map(rows.map((row) => [String(row.object_uri), Number(row.n)]));
}

async function parquetUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.parquet')).sort();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-reconcile-'));
  lake = join(root, 'lake');
  await generateOrdersFile(join(root, 'in', 'orders.jsonl'), {
    orders: 300,
    seed: 'reconcile',
    days: 3,
    updateRate: 0.3,
  });
  await convert({ inputs: [join(root, 'in')], outDir: lake });
  // Only two tables, to keep the runs short; a marker file the listing must set aside.
  for (const file of await readdir(lake, { recursive: true }))
    if (file.includes('order_flattened') && file.endsWith('.parquet')) await rm(join(lake, file));
  await writeFile(join(lake, '_SUCCESS'), '');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// Two backfill workers: DuckDB's one driver queues concurrent loads in process; PostgreSQL gets a
// driver per worker (one driver's Parquet reader serves one load at a time).
interface Backend {
  driver: Driver;
  workers: Driver[];
  done: () => Promise<void>;
}
const BACKENDS: Record<string, (dir: string) => Promise<Backend>> = {
  DuckDB: async (dir) => {
    const driver = await duckdbWarehouse({ path: join(dir, 'warehouse.duckdb') });
    return { driver, workers: [driver], done: () => driver.close() };
  },
  PostgreSQL: async () => {
    const schema = await createTestSchema('lakeload_reconcile');
    const driver = await postgresWarehouse({ connectionString: schema.url });
    const second = await postgresWarehouse({ connectionString: schema.url });
    return {
      driver,
      workers: [driver, second],
      done: async () => {
        await driver.close();
        await second.close();
        await schema.drop();
      },
    };
  },
};

describe.each(Object.keys(BACKENDS))('backfill and reconcile on %s', (backend) => {
  it('finds each drift class, backfills exactly what is missing, reloads a re-upload, and a dry run changes nothing', async () => {
    const dir = await mkdtemp(join(root, 'run-'));
    const src = join(dir, 'src');
    await cp(lake, src, { recursive: true });
    const { driver, workers, done } = await (BACKENDS[backend] as (typeof BACKENDS)[string])(dir);
    try {
      const loader = new Loader({ driver });
      const files = await parquetUnder(src);
      expect(files.length).toBeGreaterThanOrEqual(6);
      // Events delivered for a third of the files only.
      const all = await localObjects([src]);
      const parquet = all.filter((file) => file.path.endsWith('.parquet'));
      const first = parquet.filter((_, index) => index % 3 === 0);
      const loadedFirst = await loader.loadObjects(
        first.map((file) => file.ref),
        localStore(),
      );
      expect(loadedFirst.every((result) => result.status === 'loaded')).toBe(true);

      const listing = await localListing(src);
      const before = await reconcile(driver, listing);
      expect(before).toMatchObject({
        listed: parquet.length + 1,
        loaded: first.length,
        failed: [],
        gone: [],
      });
      expect(before.skipped).toEqual([
        { uri: `${listing.uriPrefix}_SUCCESS`, reason: 'marker file _SUCCESS' },
      ]);
      expect(before.notLoaded.map((item) => item.reason)).toEqual(
        Array(parquet.length - first.length).fill('new'),
      );
      expect(hasDrift(before)).toBe(true);

      const ledgerBefore = await loadedPerUri(driver);
      const rowsBefore = await driver.query('SELECT count(*) AS n FROM order_summary');
      const dry = await backfill(loader, driver, listing, { dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, loaded: 0, results: [], alreadyLoaded: first.length });
      expect(dry.toLoad).toHaveLength(parquet.length - first.length);
      expect(await loadedPerUri(driver)).toEqual(ledgerBefore);
      expect(await driver.query('SELECT count(*) AS n FROM order_summary')).toEqual(rowsBefore);

      const listed: number[] = [];
      const loaders = workers.map((worker) => new Loader({ driver: worker }));
      const filled = await backfill(loaders, driver, listing, {
        concurrency: 2,
        sliceFiles: 2,
        onListed: (count) => listed.push(count),
      });
      expect(filled).toMatchObject({
        listed: parquet.length + 1,
        alreadyLoaded: first.length,
        loaded: parquet.length - first.length,
        duplicate: 0,
        failed: 0,
        skipped: 1,
      });
      expect(listed.at(-1)).toBe(parquet.length + 1);
      const ledger = await loadedPerUri(driver);
      expect(ledger.size).toBe(parquet.length);
      expect([...ledger.values()].every((n) => n === 1)).toBe(true);
      await expectOracle(driver, src);
      expect(hasDrift(await reconcile(driver, listing))).toBe(false);
      expect((await backfill(loader, driver, listing)).toLoad).toEqual([]);

      // Re-uploaded with new content (a later version of every order): a new ETag, loaded again.
      const summary = files.find((file) => file.includes('order_summary')) as string;
      const path = join(src, summary);
      const db = await DuckDBInstance.create(':memory:');
      const connection = await db.connect();
      await connection.run(
        `COPY (SELECT * REPLACE ('returned' AS status, updated_at + INTERVAL 30 DAY AS updated_at) FROM read_parquet('${path}')) TO '${path}.new' (FORMAT parquet)`,
      );
      connection.closeSync();
      db.closeSync();
      await rename(`${path}.new`, path);
      const changed = await reconcile(driver, listing);
      expect(changed.notLoaded).toEqual([
        expect.objectContaining({ uri: `file://${path}`, reason: 'changed' }),
      ]);
      const reloaded = await backfill(loader, driver, listing);
      expect(reloaded).toMatchObject({ loaded: 1, alreadyLoaded: parquet.length - 1 });
      expect(reloaded.updated).toBeGreaterThan(0);
      expect((await loadedPerUri(driver)).get(`file://${path}`)).toBe(2);
      await expectOracle(driver, src);

      // A loaded file deleted (gone), a corrupt one and a new one landed without events.
      const deleted = files.find((file) => file.includes('order_items')) as string;
      await rm(join(src, deleted));
      const corrupt = join(dirname(join(src, deleted)), 'broken.parquet');
      await writeFile(corrupt, 'order_id,status\n1,paid\n');
      const another = files.find((file) => file !== deleted && file.includes('order_items')) as string;
      await cp(join(src, another), join(dirname(join(src, another)), 'copy.parquet'));
      const drift = await reconcile(driver, listing);
      expect(drift.gone).toEqual([{ uri: `file://${join(src, deleted)}`, identities: [expect.any(String)] }]);
      expect(drift.notLoaded.map((item) => item.uri).sort()).toEqual(
        [`file://${corrupt}`, `file://${join(dirname(join(src, another)), 'copy.parquet')}`].sort(),
      );
      const last = await backfill(loader, driver, listing);
      expect(last).toMatchObject({ loaded: 1, failed: 1 });
      const after = await reconcile(driver, listing);
      expect(after.notLoaded).toEqual([]);
      expect(after.failed).toEqual([
        expect.objectContaining({
          uri: `file://${corrupt}`,
          error: expect.stringMatching(/broken\.parquet/),
        }),
      ]);
      expect(after.gone).toHaveLength(1);
      expect(hasDrift(after)).toBe(true);
      // --since after every file's modification time: nothing is due; what is gone stays reported.
      const later = await reconcile(driver, listing, { since: new Date(Date.now() + 60_000) });
      expect(later).toMatchObject({ notLoaded: [], failed: [], beforeSince: 1 });
      expect(later.gone).toHaveLength(1);
    } finally {
      await done();
    }
  });
});

describe('reconcile with a listing that knows versions (as S3 HeadObject on a versioned bucket)', () => {
  it('finds an object loaded by its version id loaded, a new version changed, and a vanished one not at all', async () => {
    const dir = await mkdtemp(join(root, 'versions-'));
    const driver = await duckdbWarehouse({ path: join(dir, 'warehouse.duckdb') });
    try {
      const [first, second] = (await localObjects([lake])).filter((file) => file.path.endsWith('.parquet'));
      if (!first || !second) throw new Error('the lake has too few files');
      // Loaded from an event that carried a version id: the ledger's identity is "v1", not the ETag.
      const loaded = await new Loader({ driver }).loadObjects(
        [{ ...first.ref, versionId: 'v1' }],
        localStore(),
      );
      expect(loaded[0]?.status).toBe('loaded');
      const versions = new Map<string, string | undefined>([
        [first.ref.key, 'v1'],
        [second.ref.key, undefined],
      ]);
      const base = await localListing(lake);
      const listing: Listing = {
        ...base,
        // A listing's refs carry ETags only, like ListObjectsV2.
        async *objects() {
          yield first.ref;
          yield second.ref;
        },
        current: async (ref: ObjectRef) => {
          const version = versions.get(ref.key);
          return version === undefined ? undefined : { ...ref, versionId: version };
        },
      };
      const report = await reconcile(driver, listing);
      expect(report).toMatchObject({ listed: 2, loaded: 1, notLoaded: [], failed: [] });
      versions.set(first.ref.key, 'v2');
      const changed = await reconcile(driver, listing);
      expect(changed.notLoaded).toEqual([
        expect.objectContaining({ uri: `file://${first.path}`, identity: 'v2', reason: 'changed' }),
      ]);
    } finally {
      await driver.close();
    }
  });
});
