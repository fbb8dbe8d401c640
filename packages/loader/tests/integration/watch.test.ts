// The local watcher: what is in the folder at start loads as one batch, a file landing alone loads
// on its own at the next scans, and a stop between scans ends the watch.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Loader, type ObjectResult } from '../../src/load.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { watchFolder } from '../../src/watch.js';
import { counting } from '../counting-driver.js';

let dir: string;
let writer: DuckDBInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-watch-test-'));
  writer = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  writer.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function write(path: string, id: number): Promise<void> {
  const connection = await writer.connect();
  await connection.run(
    `COPY (SELECT ${id}::BIGINT AS order_id, TIMESTAMPTZ '2025-11-13 10:00:00+00' AS updated_at) TO '${path}' (FORMAT parquet)`,
  );
  connection.closeSync();
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the watcher');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('loads the files already there as one batch, then a file landing alone, until stopped', async () => {
  const landing = join(dir, 'landing', 'order_summary');
  await mkdir(landing, { recursive: true });
  for (const id of [1, 2, 3]) await write(join(landing, `part-${id}.parquet`), id);
  const base = await duckdbWarehouse({ path: join(dir, 'w.duckdb') });
  const batches: number[] = [];
  const driver = counting(base, batches);
  const results: ObjectResult[] = [];
  const stop = new AbortController();
  try {
    const watching = watchFolder(join(dir, 'landing'), new Loader({ driver }), {
      intervalMs: 50,
      signal: stop.signal,
      onResult: (result) => results.push(result),
    });
    await until(() => results.length === 3);
    expect(batches).toEqual([3]);
    await write(join(landing, 'part-4.parquet'), 4);
    await until(() => results.length === 4);
    expect(batches).toEqual([3, 1]);
    stop.abort();
    await watching;
    expect(results.map((result) => result.status)).toEqual(['loaded', 'loaded', 'loaded', 'loaded']);
    expect(await base.query('SELECT CAST(order_id AS VARCHAR) AS id FROM order_summary ORDER BY 1')).toEqual([
      { id: '1' },
      { id: '2' },
      { id: '3' },
      { id: '4' },
    ]);
  } finally {
    await base.close();
  }
});
