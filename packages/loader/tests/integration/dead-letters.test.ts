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
