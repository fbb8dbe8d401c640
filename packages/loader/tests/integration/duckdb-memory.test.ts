// The configured memory limit reaches DuckDB in MiB, as the configuration names it; without one, a
// load on a database file runs at a lower limit, and again without it if it runs out of memory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { columns, versionedJob } from '../versioned-jobs.js';

afterEach(() => vi.restoreAllMocks());

describe('DuckDB warehouse memory', () => {
  it('gives DuckDB the configured limit in MiB', async () => {
    const driver = await duckdbWarehouse({ path: ':memory:', memoryLimitMb: 300 });
    try {
      const [row] = await driver.query("SELECT current_setting('memory_limit') AS m");
      expect(row?.m).toBe('300.0 MiB');
    } finally {
      await driver.close();
    }
  });

  it('lowers the limit for a large load on a database file, lifts it after, and runs a load that ran out of memory again without it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lakeload-memory-'));
    const driver = await duckdbWarehouse({ path: join(root, 'w.duckdb') });
    try {
      const compiler = new DuckDBSqlCompiler();
      await driver.runDdl([compiler.createTable('t', columns), compiler.ledger.createLedger()]);
      await driver.query(
        `COPY (SELECT range::INTEGER AS id, 1 AS v FROM range(2200000)) TO ${compiler.quoteLiteral(join(root, 'a.parquet'))} (FORMAT parquet)`,
      );
      await driver.query(
        `COPY (SELECT 1 AS id, 2 AS v) TO ${compiler.quoteLiteral(join(root, 'b.parquet'))} (FORMAT parquet)`,
      );
      // The buffer manager's limit, which current_setting does not always show (DuckDB issue 22203).
      const effective = 'SELECT memory_limit AS m FROM pragma_database_size()';
      const [before] = await driver.query(effective);
      const limits: string[] = [];
      let failed = false;
      const run = DuckDBConnection.prototype.run;
      vi.spyOn(DuckDBConnection.prototype, 'run').mockImplementation(async function (
        this: DuckDBConnection,
        ...args: Parameters<DuckDBConnection['run']>
      ) {
        if (/^(SET|RESET) memory_limit/.test(args[0])) limits.push(args[0]);
        // The first ranking runs out of memory, as DuckDB says it.
        if (args[0].includes('QUALIFY NOT') && !failed) {
          failed = true;
          throw new Error(
            'Out of Memory Error: failed to allocate data of size 1.0 MiB (127.4 MiB/128.0 MiB used)',
          );
        }
        return run.apply(this, args);
      });
      // Large: 2.2M rows, as the footer declares them.
      expect(await driver.load([versionedJob(root, 'a', 2_200_000)])).toEqual([
        { status: 'loaded', inserted: 2_200_000, updated: 0, unchanged: 0 },
      ]);
      // The lowered limit is lifted for the loads that follow, set back to the database's own value
      // as read at open (DuckDB shows it rounded).
      expect(await driver.query(effective)).toEqual([before]);
      const restore = limits[1] ?? '';
      expect(restore).toMatch(/^SET memory_limit = '\d+(\.\d+)? GiB'$/);
      expect(limits).toEqual(["SET memory_limit = '96MiB'", restore]);
      // A small load keeps DuckDB's own limit.
      limits.length = 0;
      expect(await driver.load([versionedJob(root, 'b', 1)])).toEqual([
        { status: 'loaded', inserted: 0, updated: 1, unchanged: 0 },
      ]);
      expect(limits).toEqual([]);
      vi.restoreAllMocks();
      expect(await driver.query(effective)).toEqual([before]);
      expect(await driver.query('SELECT count(*) AS n FROM t')).toEqual([{ n: '2200000' }]);
    } finally {
      await driver.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
