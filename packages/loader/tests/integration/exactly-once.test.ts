// Exactly once, end to end: generated orders → converted Parquet → every file's event delivered
// three times in shuffled order (and, on PostgreSQL, by eight concurrent loaders) ⇒ the warehouse
// equals an oracle computed straight from the Parquet files.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { convert } from '@lakeload/convert';
import { generateOrdersFile } from '@lakeload/orders';
import { createTestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import type { Driver } from '../../src/warehouse/dialect.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { counting } from '../counting-driver.js';

let root: string;
let lake: string;
let events: { ref: ObjectRef; path: string }[];
let oracle: Record<string, string[]>;

// The checks per table: one line per row, sorted, from the warehouse and from the oracle alike.
const CHECKS: Record<string, string> = {
  order_summary: `CAST(order_id AS VARCHAR) || '|' || status || '|' || CAST(total AS VARCHAR)`,
  order_items: `CAST(order_id AS VARCHAR) || '|' || CAST(line_number AS VARCHAR) || '|' || sku || '|' || CAST(quantity AS VARCHAR)`,
  order_flattened: `CAST(order_id AS VARCHAR) || '|' || CAST(line_number AS VARCHAR) || '|' || status || '|' || CAST(line_total AS VARCHAR)`,
};
const KEYS: Record<string, string> = {
  order_summary: 'order_id',
  order_items: 'order_id, line_number',
  order_flattened: 'order_id, line_number',
};

/** Consecutive slices of at most `size` items. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-once-'));
  lake = join(root, 'lake');
  // Two exports of the same order ids with different histories: later versions must win.
  await generateOrdersFile(join(root, 'in', 'web.jsonl'), {
    orders: 400,
    seed: 'web',
    days: 3,
    updateRate: 0.4,
  });
  await generateOrdersFile(join(root, 'in', 'shop.jsonl'), {
    orders: 400,
    seed: 'shop',
    days: 3,
    updateRate: 0.4,
  });
  await convert({ inputs: [join(root, 'in')], outDir: lake });
  const files = (await readdir(lake, { recursive: true })).filter((file) => file.endsWith('.parquet'));
  const objects = await Promise.all(
    files.map(async (file) => ({ ref: await localObject(lake, file), path: join(lake, file) })),
  );
  events = shuffled([...objects, ...objects, ...objects], 7);

  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  oracle = {};
  for (const table of Object.keys(CHECKS)) {
    const newest = `SELECT * FROM read_parquet('${lake}/*/*/*/${table}/*.parquet') QUALIFY row_number() OVER (PARTITION BY ${KEYS[table]} ORDER BY updated_at DESC) = 1`;
    const reader = await connection.runAndReadAll(
      `SELECT ${CHECKS[table]} AS line FROM (${newest}) ORDER BY line`,
    );
    oracle[table] = reader.getRows().map(([line]) => String(line));
  }
  connection.closeSync();
  db.closeSync();
  expect(files.length).toBe(2 * 3 * 3);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectOracle(driver: Driver): Promise<void> {
  for (const table of Object.keys(CHECKS)) {
    const rows = await driver.query(`SELECT ${CHECKS[table]} AS line FROM ${table} ORDER BY line`);
    expect(
      rows.map((row) => String(row.line)),
      table,
    ).toEqual(oracle[table]);
  }
  const ledger = await driver.query(
    `SELECT object_uri, count(*) AS n FROM lakeload_load_history WHERE status = 'loaded' GROUP BY object_uri`,
  );
  expect(ledger).toHaveLength(events.length / 3);
  expect(ledger.every((row) => Number(row.n) === 1)).toBe(true);
}

describe('exactly once', () => {
  it('DuckDB: every event three times, shuffled ⇒ the oracle, each file loaded once', async () => {
    const driver = await duckdbWarehouse({ path: join(root, 'once.duckdb') });
    try {
      const loader = new Loader({ driver });
      const statuses: string[] = [];
      for (const event of events) statuses.push((await loader.loadFile(event.ref, event.path)).status);
      expect(statuses.filter((status) => status === 'loaded')).toHaveLength(events.length / 3);
      expect(statuses.filter((status) => status === 'duplicate')).toHaveLength((events.length * 2) / 3);
      await expectOracle(driver);
    } finally {
      await driver.close();
    }
  });

  it('DuckDB in batches: every event three times, shuffled, seven events per call, at most three files per transaction ⇒ the oracle, each file loaded once', async () => {
    const driver = await duckdbWarehouse({ path: join(root, 'once-batches.duckdb') });
    try {
      const batches: number[] = [];
      const loader = new Loader({ driver: counting(driver, batches), maxBatchFiles: 3 });
      const statuses: string[] = [];
      for (const chunk of chunks(events, 7)) {
        const results = await loader.loadObjects(
          chunk.map((event) => event.ref),
          localStore(),
        );
        statuses.push(...results.map((result) => result.status));
      }
      expect(statuses.filter((status) => status === 'loaded')).toHaveLength(events.length / 3);
      expect(statuses.filter((status) => status === 'duplicate')).toHaveLength((events.length * 2) / 3);
      expect(Math.max(...batches)).toBe(3);
      await expectOracle(driver);
    } finally {
      await driver.close();
    }
  });

  it('PostgreSQL: eight concurrent loaders over overlapping keys, half of them in batches ⇒ the oracle, each file loaded once', async () => {
    const schema = await createTestSchema('lakeload_once');
    const drivers = await Promise.all(
      Array.from({ length: 8 }, () => postgresWarehouse({ connectionString: schema.url, maxConnections: 1 })),
    );
    try {
      const queues = drivers.map(() => [] as typeof events);
      for (const [index, event] of events.entries()) queues[index % drivers.length]?.push(event);
      const results = await Promise.all(
        drivers.map(async (driver, index) => {
          const loader = new Loader({ driver, attempts: 10 });
          const statuses: string[] = [];
          const queue = queues[index] ?? [];
          // Odd loaders take their events four at a time (batches), even ones one by one.
          for (const chunk of chunks(queue, index % 2 === 1 ? 4 : 1)) {
            const results = await loader.loadObjects(
              chunk.map((event) => event.ref),
              localStore(),
            );
            for (const [position, result] of results.entries()) {
              const path = chunk[position]?.path ?? '';
              if (result.status === 'failed') throw new Error(`${relative(lake, path)}: ${result.error}`);
              statuses.push(result.status);
            }
          }
          return statuses;
        }),
      );
      expect(results.flat().filter((status) => status === 'loaded')).toHaveLength(events.length / 3);
      await expectOracle(drivers[0] as Driver);
    } finally {
      await Promise.all(drivers.map((driver) => driver.close()));
      await schema.drop();
    }
  });
});
