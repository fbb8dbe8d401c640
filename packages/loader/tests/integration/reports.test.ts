// The reports on DuckDB and PostgreSQL for the same loaded demo data: the same converted files
// loaded into both, every report compared exactly (money as exact decimals, every value as text),
// and checked against sums computed straight from the Parquet files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { convert } from '@lakeload/convert';
import { generateOrdersFile } from '@lakeload/orders';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObjects } from '../../src/events/local-tree.js';
import { Loader } from '../../src/load.js';
import { REPORT_NAMES, type ReportOptions, runReport } from '../../src/reports/reports.js';
import { localStore } from '../../src/sources/local-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';

let root: string;
let duckdb: Driver;
let postgres: Driver;
let schema: TestSchema;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-reports-'));
  // The demo's two exports: the same generator, dirty records and updates included.
  for (const [seed, firstOrderId] of [
    ['web', 100_001],
    ['marketplace', 900_001],
  ] as const) {
    await generateOrdersFile(join(root, 'in', `${seed}.jsonl`), {
      orders: 600,
      seed,
      firstOrderId,
      startDate: '2025-11-10',
      days: 3,
      dirtyRate: 0.02,
      updateRate: 0.3,
    });
  }
  await convert({ inputs: [join(root, 'in')], outDir: join(root, 'lake') });
  const refs = (await localObjects([join(root, 'lake')])).map((file) => file.ref);
  duckdb = await duckdbWarehouse({ path: join(root, 'reports.duckdb') });
  schema = await createTestSchema('lakeload_reports');
  postgres = await postgresWarehouse({ connectionString: schema.url });
  for (const driver of [duckdb, postgres]) {
    const results = await new Loader({ driver }).loadObjects(refs, localStore());
    expect(results.filter((result) => result.status === 'failed')).toEqual([]);
  }
});
afterAll(async () => {
  await duckdb?.close();
  await postgres?.close();
  await schema?.drop();
  await rm(root, { recursive: true, force: true });
});

const RANGES: ReportOptions[] = [
  {},
  { from: '2025-11-11' },
  { from: '2025-11-10', to: '2025-11-11', limit: 3 },
];

describe('reports on DuckDB and PostgreSQL', () => {
  it.each(REPORT_NAMES.flatMap((name) => RANGES.map((range) => [name, range] as const)))(
    '%s %j: the same rows, value for value',
    async (name, range) => {
      const fromDuckdb = await runReport(duckdb, name, range);
      const fromPostgres = await runReport(postgres, name, range);
      expect(fromDuckdb.rows.length).toBeGreaterThan(0);
      expect(fromPostgres).toEqual(fromDuckdb);
      for (const row of fromDuckdb.rows) {
        for (const column of ['revenue', 'value', 'lifetime_value'])
          if (column in row) expect(row[column]).toMatch(/^\d+\.\d{2}$/);
      }
    },
  );

  it('daily revenue equals the sums of the newest version of each order in the Parquet files', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const reader = await connection.runAndReadAll(
      `SELECT CAST(order_day AS VARCHAR) AS day, CAST(count(*) AS VARCHAR) AS orders, CAST(sum(total) AS VARCHAR) AS revenue
       FROM (SELECT * FROM read_parquet('${root}/lake/*/*/*/order_summary/*.parquet') QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC) = 1)
       WHERE status NOT IN ('cancelled', 'returned') GROUP BY order_day ORDER BY order_day`,
    );
    const oracle = reader.getRowObjectsJson();
    connection.closeSync();
    db.closeSync();
    expect((await runReport(postgres, 'daily-revenue')).rows).toEqual(oracle);
  });

  it('the funnel: pending reached by every order, each stage by those at it or beyond', async () => {
    const { rows } = await runReport(postgres, 'status-funnel');
    const orders = (status: string) => Number(rows.find((row) => row.status === status)?.orders ?? 0);
    const total = rows.reduce((sum, row) => sum + Number(row.orders), 0);
    expect(rows[0]).toMatchObject({ status: 'pending', stage: '1', reached: String(total) });
    const shipped = rows.find((row) => row.status === 'shipped');
    expect(Number(shipped?.reached)).toBe(orders('shipped') + orders('delivered') + orders('returned'));
    expect(rows.find((row) => row.status === 'cancelled')).toMatchObject({
      stage: '6',
      reached: String(orders('cancelled')),
    });
  });
});
