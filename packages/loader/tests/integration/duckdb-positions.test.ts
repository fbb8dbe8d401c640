// DuckDB stages positions and reads the kept rows again from the files: a file that changes in
// between must fail the batch, never write rows that were not staged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoadJob } from '../../src/warehouse/dialect.js';
import { duckdbCapabilities } from '../../src/warehouse/duckdb/duckdb-adapter.js';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { loadBatch, type Statements } from '../../src/warehouse/merge.js';
import { columns, settings, versionedJob } from '../versioned-jobs.js';

const compiler = new DuckDBSqlCompiler();

let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
let sql: Statements;

async function write(path: string, select: string): Promise<void> {
  await connection.run(`COPY (${select}) TO ${compiler.quoteLiteral(path)} (FORMAT parquet)`);
}

const job = (name: string): LoadJob => versionedJob(root, name);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-positions-'));
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  sql = {
    rows: async (text) => (await connection.runAndReadAll(text)).getRowObjectsJson(),
    changed: async (text) => Number((await connection.run(text)).rowsChanged),
    run: async (text) => void (await connection.run(text)),
  };
  await connection.run(compiler.createTable('t', columns));
  await connection.run(compiler.ledger.createLedger());
  await write(join(root, 'a.parquet'), 'SELECT range::INTEGER AS id, 1 AS v FROM range(3)');
  await write(join(root, 'b.parquet'), 'SELECT range::INTEGER + 2 AS id, 2 AS v FROM range(3)');
});

afterEach(async () => {
  connection.closeSync();
  instance.closeSync();
  await rm(root, { recursive: true, force: true });
});

describe('DuckDB positions staging', () => {
  const jobs = () => [job('a'), job('b')];
  // As the driver stages a keyed batch: the losers' positions, and the census from the files.
  const stage = async (staging: string, files: readonly LoadJob[]) => {
    const paths = files.map((file) => file.path);
    await connection.run(compiler.createPositions(staging, columns, settings));
    for (const statement of compiler.stageLosers(staging, settings, paths)) await connection.run(statement);
    return { census: await sql.rows(compiler.losersCensus(staging, settings.keys, paths)) };
  };

  it('keeps the newest row per key across files and counts each file', async () => {
    const outcomes = await loadBatch(sql, compiler, duckdbCapabilities, jobs(), 'stage_ok', stage);
    expect(outcomes).toEqual([
      { status: 'loaded', inserted: 2, updated: 0, unchanged: 1 },
      { status: 'loaded', inserted: 3, updated: 0, unchanged: 0 },
    ]);
    const rows = await sql.rows('SELECT id, v FROM t ORDER BY id');
    expect(rows).toEqual([
      { id: 0, v: 1 },
      { id: 1, v: 1 },
      { id: 2, v: 2 },
      { id: 3, v: 2 },
      { id: 4, v: 2 },
    ]);
  });

  it('with stored rows: leaves the losers out of the joins, keeps newer stored rows, replaces older ones', async () => {
    await connection.run('INSERT INTO t VALUES (0, 0), (2, 5)');
    const outcomes = await loadBatch(sql, compiler, duckdbCapabilities, jobs(), 'stage_stored', stage);
    expect(outcomes).toEqual([
      { status: 'loaded', inserted: 1, updated: 1, unchanged: 1 },
      { status: 'loaded', inserted: 2, updated: 0, unchanged: 1 },
    ]);
    expect(await sql.rows('SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 0, v: 1 },
      { id: 1, v: 1 },
      { id: 2, v: 5 },
      { id: 3, v: 2 },
      { id: 4, v: 2 },
    ]);
  });

  it('into an empty table writes the kept rows straight in: greatest version, then newest file, then last row', async () => {
    const warehouse = await duckdbWarehouse({ path: join(root, 'w.duckdb') });
    const withN: LoadJob['columns'] = [...columns, { name: 'n', type: { kind: 'string' }, nullable: true }];
    const nJob = (name: string): LoadJob => ({ ...job(name), columns: withN });
    try {
      await warehouse.runDdl([compiler.createTable('t', withN), compiler.ledger.createLedger()]);
      await write(
        join(root, 'a.parquet'),
        "SELECT * FROM (VALUES (1, 1, 'a1'), (1, 3, 'a2'), (2, 1, 'a3'), (2, 1, 'a4'), (3, 2, 'a5')) AS r(id, v, n)",
      );
      await write(
        join(root, 'b.parquet'),
        "SELECT * FROM (VALUES (1, 2, 'b1'), (2, 1, 'b2'), (3, 2, 'b3'), (3, 2, 'b4'), (4, NULL, 'b5')) AS r(id, v, n)",
      );
      expect(await warehouse.load([nJob('a'), nJob('b')])).toEqual([
        { status: 'loaded', inserted: 1, updated: 0, unchanged: 4 },
        { status: 'loaded', inserted: 3, updated: 0, unchanged: 2 },
      ]);
      expect(await warehouse.query('SELECT id, v, n FROM t ORDER BY id')).toEqual([
        { id: 1, v: 3, n: 'a2' },
        { id: 2, v: 1, n: 'b2' },
        { id: 3, v: 2, n: 'b4' },
        { id: 4, v: null, n: 'b5' },
      ]);
      // A key without a value refuses the batch before anything is written.
      await write(
        join(root, 'c.parquet'),
        "SELECT * FROM (VALUES (7, 1, 'c1'), (NULL, 1, 'c2')) AS r(id, v, n)",
      );
      await warehouse.runDdl(['DELETE FROM t']);
      await expect(warehouse.load([nJob('c')])).rejects.toThrow(/1 of 2 rows have no value in the key/);
      expect(await warehouse.query('SELECT count(*) AS n FROM t')).toEqual([{ n: '0' }]);
    } finally {
      await warehouse.close();
    }
  });

  it("with stored rows only outside the batch's key range: writes the kept rows straight in, as into an empty table", async () => {
    const warehouse = await duckdbWarehouse({ path: join(root, 'w.duckdb') });
    const statements: string[] = [];
    try {
      await warehouse.runDdl([compiler.createTable('t', columns), compiler.ledger.createLedger()]);
      await write(join(root, 'old.parquet'), 'SELECT * FROM (VALUES (-1, 9), (5, 0)) AS r(id, v)');
      await warehouse.load([job('old')]);
      const run = DuckDBConnection.prototype.run;
      vi.spyOn(DuckDBConnection.prototype, 'run').mockImplementation(async function (
        this: DuckDBConnection,
        ...args: Parameters<DuckDBConnection['run']>
      ) {
        statements.push(args[0]);
        return run.apply(this, args);
      });
      expect(await warehouse.load(jobs())).toEqual([
        { status: 'loaded', inserted: 2, updated: 0, unchanged: 1 },
        { status: 'loaded', inserted: 3, updated: 0, unchanged: 0 },
      ]);
      // Only the losers were staged; no stored row was joined.
      expect(statements.filter((text) => text.includes('_matched'))).toEqual([]);
      expect(statements.some((text) => text.includes('QUALIFY NOT'))).toBe(true);
      expect(await warehouse.query('SELECT id, v FROM t ORDER BY id')).toEqual([
        { id: -1, v: 9 },
        { id: 0, v: 1 },
        { id: 1, v: 1 },
        { id: 2, v: 2 },
        { id: 3, v: 2 },
        { id: 4, v: 2 },
        { id: 5, v: 0 },
      ]);
      // A stored key within the range (4 lies in 2..4) is met: its newer stored row stays.
      await write(join(root, 'c.parquet'), 'SELECT * FROM (VALUES (2, 1), (4, 3)) AS r(id, v)');
      statements.length = 0;
      expect(await warehouse.load([job('c')])).toEqual([
        { status: 'loaded', inserted: 0, updated: 1, unchanged: 1 },
      ]);
      expect(statements.some((text) => text.includes('_matched'))).toBe(true);
      expect(await warehouse.query('SELECT id, v FROM t WHERE id IN (2, 4) ORDER BY id')).toEqual([
        { id: 2, v: 2 },
        { id: 4, v: 3 },
      ]);
    } finally {
      vi.restoreAllMocks();
      await warehouse.close();
    }
  });

  it.each([
    ['an empty table (the insert leaves the losers out)', false],
    ['a table with stored rows (the insert takes the kept rows left)', true],
  ])('fails the batch when a file changes between staging and the insert, into %s', async (_name, stored) => {
    const warehouse = await duckdbWarehouse({ path: join(root, 'w.duckdb') });
    try {
      await warehouse.runDdl([compiler.createTable('t', columns), compiler.ledger.createLedger()]);
      // A stored key within the batch's key range: the load joins the stored rows.
      if (stored) {
        await write(join(root, 'old.parquet'), 'SELECT 3 AS id, 9 AS v');
        await warehouse.load([job('old')]);
      }
      const run = DuckDBConnection.prototype.run;
      vi.spyOn(DuckDBConnection.prototype, 'run').mockImplementation(async function (
        this: DuckDBConnection,
        ...args: Parameters<DuckDBConnection['run']>
      ) {
        // Same row count, other keys, just before the files are read again.
        if (args[0].startsWith('INSERT INTO "main"."t"'))
          await write(join(root, 'b.parquet'), 'SELECT range::INTEGER + 10 AS id, 2 AS v FROM range(3)');
        return run.apply(this, args);
      });
      await expect(warehouse.load(jobs())).rejects.toThrow(/a file changed while loading/);
      vi.restoreAllMocks();
      expect(await warehouse.query('SELECT id FROM t ORDER BY id')).toEqual(stored ? [{ id: 3 }] : []);
    } finally {
      vi.restoreAllMocks();
      await warehouse.close();
    }
  });
});
