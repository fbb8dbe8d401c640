// Loader.loadObjects over a store of its own: temporary local copies released, results in the
// order of the refs whatever the batches, and a stop between batches.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import type { ObjectStore } from '../../src/sources/store.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { counting } from '../counting-driver.js';

let dir: string;
let lake: string;
let refs: ObjectRef[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-objects-'));
  lake = join(dir, 'lake');
  await mkdir(join(lake, 'clicks'), { recursive: true });
  await mkdir(join(lake, 'order_summary'), { recursive: true });
  const writer = await DuckDBInstance.create(':memory:');
  const connection = await writer.connect();
  for (const id of [1, 2, 3]) {
    await connection.run(
      `COPY (SELECT ${id} AS id, 'page' AS page) TO '${join(lake, 'clicks', `c${id}.parquet`)}' (FORMAT parquet)`,
    );
  }
  connection.closeSync();
  writer.closeSync();
  await writeFile(join(lake, 'order_summary', 'broken.parquet'), 'not parquet');
  await writeFile(join(lake, 'clicks', '_SUCCESS'), '');
  refs = [];
  for (const key of [
    'clicks/c3.parquet',
    'order_summary/broken.parquet',
    'clicks/_SUCCESS',
    'clicks/c1.parquet',
    'clicks/c2.parquet',
  ]) {
    refs.push(await localObject(lake, key));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('reads through the store, releases every temporary copy, and answers in the order of the refs', async () => {
  const copies = join(dir, 'copies');
  await mkdir(copies, { recursive: true });
  const released: string[] = [];
  let copied = 0;
  const local = localStore();
  const store: ObjectStore = {
    open: (ref) => local.open(ref),
    localFile: async (ref) => {
      const path = join(copies, `${++copied}.parquet`);
      await copyFile(join(ref.bucket, ref.key), path);
      return {
        path,
        release: async () => {
          released.push(ref.key);
          await rm(path);
        },
      };
    },
  };
  const driver = await duckdbWarehouse({ path: join(dir, 'a.duckdb') });
  const batches: number[] = [];
  try {
    const results = await new Loader({ driver: counting(driver, batches) }).loadObjects(refs, store);
    expect(results.map((result) => result.status)).toEqual([
      'loaded',
      'failed',
      'skipped',
      'loaded',
      'loaded',
    ]);
    expect(results[1]).toMatchObject({ status: 'failed', error: expect.stringMatching(/broken\.parquet/) });
    expect(batches).toEqual([3]);
    expect(released.sort()).toEqual(['clicks/c1.parquet', 'clicks/c2.parquet', 'clicks/c3.parquet']);
    expect(await driver.query('SELECT CAST(count(*) AS VARCHAR) AS n FROM clicks')).toEqual([{ n: '3' }]);
  } finally {
    await driver.close();
  }
});

it('stops between batches when its signal aborts; what loaded stays loaded', async () => {
  const driver = await duckdbWarehouse({ path: join(dir, 'b.duckdb') });
  const stop = new AbortController();
  const loaded: string[] = [];
  try {
    const loader = new Loader({ driver, maxBatchFiles: 1 });
    const clicks = refs.filter((ref) => ref.key.endsWith('.parquet') && ref.key.startsWith('clicks/'));
    await expect(
      loader.loadObjects(clicks, localStore(), {
        signal: stop.signal,
        onResult: (result) => {
          loaded.push(result.status);
          stop.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(loaded).toEqual(['loaded']);
    expect(await driver.query('SELECT CAST(count(*) AS VARCHAR) AS n FROM clicks')).toEqual([{ n: '1' }]);
  } finally {
    await driver.close();
  }
});

it('fails the files of a driver that answers fewer outcomes than files, saying why', async () => {
  const base = await duckdbWarehouse({ path: join(dir, 'c.duckdb') });
  const driver = new Proxy(base, {
    get(target, property) {
      if (property === 'load') return async () => [];
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  try {
    const [result] = await new Loader({ driver }).loadObjects(
      refs.filter((ref) => ref.key === 'clicks/c1.parquet'),
      localStore(),
    );
    expect(result).toMatchObject({
      status: 'failed',
      error: 'the warehouse driver answered 0 outcomes for 1 files; it must answer one per file',
    });
  } finally {
    await base.close();
  }
});
