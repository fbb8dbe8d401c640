// PostgreSQL driver settings that shape every load: each connection's memory for staging tables,
// and each load's memory for its joins.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema } from '@lakeload/testkit/postgres';
import pg from 'pg';
import { afterEach, expect, it, vi } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';

afterEach(() => vi.restoreAllMocks());

it('gives each connection temp_buffers before its first staging table and each load work_mem, 128 MB unless configured', async () => {
  const schema = await createTestSchema('lakeload_pgdrv');
  const dir = await mkdtemp(join(tmpdir(), 'lakeload-pgdrv-'));
  await mkdir(join(dir, 'notes'));
  const writer = await DuckDBInstance.create(':memory:');
  const connection = await writer.connect();
  await connection.run(`COPY (SELECT 1 AS id) TO '${join(dir, 'notes', 'a.parquet')}' (FORMAT parquet)`);
  connection.closeSync();
  writer.closeSync();
  // One connection each, so that SHOW runs where the load ran.
  const drivers = [
    await postgresWarehouse({ connectionString: schema.url, maxConnections: 1 }),
    await postgresWarehouse({
      connectionString: schema.url,
      maxConnections: 1,
      tempBuffersMb: 32,
      workMemMb: 16,
    }),
  ];
  // work_mem as the load's transaction had it (SET LOCAL: it ends with the transaction).
  const [serverWorkMem] = (await drivers[1]?.query('SHOW work_mem')) ?? [];
  const workMem: string[] = [];
  const query = pg.Client.prototype.query;
  vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    if (typeof args[0] === 'string' && args[0].startsWith('SET LOCAL work_mem')) workMem.push(args[0]);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query);
  try {
    for (const driver of drivers) {
      const result = await new Loader({ driver }).loadFile(
        await localObject(dir, 'notes/a.parquet'),
        join(dir, 'notes', 'a.parquet'),
      );
      expect(result.status).not.toBe('failed');
    }
    expect(await drivers[0]?.query('SHOW temp_buffers')).toEqual([{ temp_buffers: '128MB' }]);
    expect(await drivers[1]?.query('SHOW temp_buffers')).toEqual([{ temp_buffers: '32MB' }]);
    expect(workMem).toEqual(["SET LOCAL work_mem = '128MB'", "SET LOCAL work_mem = '16MB'"]);
    expect(await drivers[1]?.query('SHOW work_mem')).toEqual([serverWorkMem]);
  } finally {
    await Promise.all(drivers.map((driver) => driver?.close()));
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  }
});

it('streams loads running side by side on one driver each in full', async () => {
  const schema = await createTestSchema('lakeload_pgpar');
  const dir = await mkdtemp(join(tmpdir(), 'lakeload-pgpar-'));
  const tables = ['clicks', 'views', 'orders_seen', 'carts'];
  const rows = 50_000;
  const writer = await DuckDBInstance.create(':memory:');
  const connection = await writer.connect();
  for (const table of tables) {
    await mkdir(join(dir, table));
    await connection.run(
      `COPY (SELECT range AS id, 'x' || range AS label FROM range(${rows})) TO '${join(dir, table, 'a.parquet')}' (FORMAT parquet)`,
    );
  }
  connection.closeSync();
  writer.closeSync();
  const driver = await postgresWarehouse({ connectionString: schema.url });
  try {
    const loader = new Loader({ driver });
    const results = await Promise.all(
      tables.map(async (table) =>
        loader.loadFile(await localObject(dir, `${table}/a.parquet`), join(dir, table, 'a.parquet')),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(tables.map(() => 'loaded'));
    for (const table of tables) {
      const { rows: counted } = await schema.admin.query(
        `SELECT count(*)::int AS n FROM ${schema.name}.${table}`,
      );
      expect(counted).toEqual([{ n: rows }]);
    }
  } finally {
    await driver.close();
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  }
});
