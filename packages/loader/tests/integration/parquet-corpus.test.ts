// Every file of the shared corpus (Spark, Impala, parquet-mr, Arrow, arrow-rs) loaded twice into a
// keyless table of its own on each real warehouse, and the table compared with DuckDB's own reading
// of the file, value by value (tests/fingerprint.ts). A refusal must be one the README's type matrix
// documents for that warehouse.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Engine } from '@lakeload/testkit/fingerprint';
import { corpusFiles, corpusTable } from '@lakeload/testkit/parquet-corpus';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { expectTableHolds } from '../warehouses.js';

/** Files a warehouse refuses, with the reason the type matrix gives. */
const REFUSED: Record<Engine, Record<string, RegExp>> = {
  duckdb: {},
  // Spark wrote a timestamp of 226414 BC; PostgreSQL's range starts at 4713 BC.
  postgres: { 'int96_from_spark.parquet': /timestamp out of range/ },
};

interface Backend {
  name: Engine;
  open: (root: string) => Promise<{ driver: Driver; cleanup: () => Promise<void> }>;
}
const backends: Backend[] = [
  {
    name: 'duckdb',
    open: async (root) => {
      const driver = await duckdbWarehouse({ path: join(root, 'warehouse.duckdb') });
      // A default time zone far from UTC: legacy timestamps must not depend on it.
      await driver.query("SET GLOBAL TimeZone = 'Asia/Kolkata'");
      return { driver, cleanup: async () => {} };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const schema = await createTestSchema('lakeload_corpus');
      // A session time zone far from UTC: timestamps must not depend on it.
      const url = `${schema.url}%20-c%20TimeZone%3DAsia%2FKolkata`;
      return { driver: await postgresWarehouse({ connectionString: url }), cleanup: schema.drop };
    },
  },
];

const files = corpusFiles();

describe.each(backends)('the shared corpus on $name', (backend) => {
  let root: string;
  let driver: Driver;
  let cleanup: () => Promise<void>;
  let reader: DuckDBInstance;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `lakeload-corpus-${backend.name}-`));
    ({ driver, cleanup } = await backend.open(root));
    reader = await DuckDBInstance.create(':memory:');
  });
  afterAll(async () => {
    await driver.close();
    await cleanup();
    reader.closeSync();
    await rm(root, { recursive: true, force: true });
  });

  it.each(files)('$name: two files load, holding what DuckDB reads', async ({ name, path }) => {
    const lake = join(root, 'lake');
    const table = corpusTable(name);
    const keys = [`${table}/part-0.parquet`, `${table}/part-1.parquet`];
    await mkdir(join(lake, table), { recursive: true });
    for (const key of keys) await copyFile(path, join(lake, key));
    const loader = new Loader({ driver });
    const results = [];
    for (const key of keys)
      results.push(await loader.loadFile(await localObject(lake, key), join(lake, key)));
    const refusal = REFUSED[backend.name][name];
    if (refusal) {
      expect(results[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(refusal) });
      return;
    }
    expect(results.map((result) => [result.status, 'error' in result ? result.error : undefined])).toEqual([
      ['loaded', undefined],
      ['loaded', undefined],
    ]);
    await expectTableHolds(backend.name, driver, reader, table, [path, path]);
  });
});
