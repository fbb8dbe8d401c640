// Failures recorded side by side on a warehouse that has no ledger yet: each one becomes a dead
// letter and a failed ledger row (DuckDB refuses concurrent CREATEs in its catalog, so the tables are
// created once, before any failure is recorded).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-dead-letters-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('keeps a dead letter for every file of a batch that fails on a fresh DuckDB warehouse', async () => {
  const lake = join(dir, 'lake');
  await mkdir(join(lake, 'order_summary'), { recursive: true });
  const keys = Array.from({ length: 6 }, (_, i) => `order_summary/broken-${i}.parquet`);
  for (const key of keys) await writeFile(join(lake, key), `not parquet ${key}`);
  const refs = await Promise.all(keys.map((key) => localObject(lake, key)));
  const driver = await duckdbWarehouse({ path: join(dir, 'fresh.duckdb') });
  try {
    const loader = new Loader({ driver });
    const results = await loader.loadObjects(refs, localStore());
    expect(results.map((result) => result.status)).toEqual(keys.map(() => 'failed'));
    const letters = await loader.deadLetters();
    expect(letters.map((letter) => letter.uri).sort()).toEqual(
      keys.map((key) => `file://${join(lake, key)}`).sort(),
    );
    const [failed] = await driver.query(
      "SELECT count(*) AS n FROM lakeload_load_history WHERE status = 'failed'",
    );
    expect(Number(failed?.n)).toBe(keys.length);
  } finally {
    await driver.close();
  }
});

it('adds the object key column to a dead-letter table written before it existed; old letters replay from the URI', async () => {
  const driver = await duckdbWarehouse({ path: join(dir, 'older.duckdb') });
  try {
    // The table as the loader created it before dead letters kept the object key.
    await driver.runDdl([
      'CREATE TABLE lakeload_dead_letters (object_uri VARCHAR NOT NULL, object_identity VARCHAR NOT NULL, target_table VARCHAR, error VARCHAR NOT NULL, tip VARCHAR NOT NULL, failed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP, replayed_at TIMESTAMP WITH TIME ZONE)',
      "INSERT INTO lakeload_dead_letters (object_uri, object_identity, target_table, error, tip) VALUES ('file:///lake/orders/old.parquet', 'e0', 'orders', 'broken', 'fix it')",
    ]);
    const lake = join(dir, 'older-lake');
    await mkdir(join(lake, 'kv', 'year=2025'), { recursive: true });
    await writeFile(join(lake, 'kv', 'year=2025', 'f.parquet'), 'not parquet');
    const loader = new Loader({ driver });
    await loader.loadObjects([await localObject(lake, 'kv/year=2025/f.parquet')], localStore());
    // Ordered by URI: the old letter's file:///lake/… first.
    expect(await loader.deadLetters()).toEqual([
      { uri: 'file:///lake/orders/old.parquet', identity: 'e0', key: undefined, table: 'orders' },
      {
        uri: `file://${join(lake, 'kv/year=2025/f.parquet')}`,
        identity: expect.any(String),
        key: 'kv/year=2025/f.parquet',
        table: 'kv',
      },
    ]);
  } finally {
    await driver.close();
  }
});
