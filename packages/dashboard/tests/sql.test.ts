// The dashboard's SQL per dialect: exact text, quoting through each compiler's one function, and
// refusal of windows that are not whole seconds.
import { DuckDBSqlCompiler } from '@lakeload/loader/duckdb';
import { PostgresSqlCompiler } from '@lakeload/loader/postgres';
import { RedshiftSqlCompiler } from '@lakeload/loader/redshift';
import { describe, expect, it } from 'vitest';
import { DashboardSql } from '../src/sql.js';

const dialects = {
  duckdb: new DashboardSql(new DuckDBSqlCompiler()),
  postgres: new DashboardSql(new PostgresSqlCompiler()),
  redshift: new DashboardSql(new RedshiftSqlCompiler()),
};

function expectSql(
  build: (sql: DashboardSql) => string,
  expected: { duckdb: string; postgres: string; redshift: string },
): void {
  expect({
    duckdb: build(dialects.duckdb),
    postgres: build(dialects.postgres),
    redshift: build(dialects.redshift),
  }).toEqual(expected);
}

describe('dashboard SQL', () => {
  it('latency percentiles: one plain statement for every dialect, the table filter quoted', () => {
    const same = `SELECT floor(extract(epoch FROM recorded_at) / 3600) * 3600 AS bucket, count(*) AS files, percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(duration_ms AS DOUBLE PRECISION)) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY CAST(duration_ms AS DOUBLE PRECISION)) AS p95, max(duration_ms) AS max_ms FROM "lakeload_load_history" WHERE status = 'loaded' AND recorded_at >= CURRENT_TIMESTAMP - INTERVAL '86400 seconds' AND target_table = 'order_summary' GROUP BY 1 ORDER BY 1`;
    expectSql((sql) => sql.latency({ seconds: 86_400, table: 'order_summary' }, 'hour'), {
      duckdb: same,
      postgres: same,
      redshift: same,
    });
  });

  it('activity per bucket and table', () => {
    const same = `SELECT floor(extract(epoch FROM recorded_at) / 60) * 60 AS bucket, target_table, sum(CASE WHEN status = 'loaded' THEN 1 ELSE 0 END) AS loaded, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM "lakeload_load_history" WHERE recorded_at >= CURRENT_TIMESTAMP - INTERVAL '3600 seconds' GROUP BY 1, 2 ORDER BY 1, 2`;
    expectSql((sql) => sql.activity({ seconds: 3600 }, 'minute'), {
      duckdb: same,
      postgres: same,
      redshift: same,
    });
  });

  it('a hostile table filter stays one literal in every dialect', () => {
    const hostile = "x' OR '1'='1\\";
    expectSql((sql) => sql.activity({ seconds: 60, table: hostile }, 'day').split('AND ')[1] ?? '', {
      duckdb: "target_table = 'x'' OR ''1''=''1\\' GROUP BY 1, 2 ORDER BY 1, 2",
      postgres: "target_table = 'x'' OR ''1''=''1\\' GROUP BY 1, 2 ORDER BY 1, 2",
      // Redshift never writes a backslash inside quotes (its compiler joins CHR(92)).
      redshift: "target_table = ('x'' OR ''1''=''1' || CHR(92) || '') GROUP BY 1, 2 ORDER BY 1, 2",
    });
  });

  it('a dead letter is looked up by quoted URI and identity', () => {
    const same = `SELECT count(*) AS waiting FROM "lakeload_dead_letters" WHERE object_uri = 'file:///lake/o''brien.parquet' AND object_identity = 'abc' AND replayed_at IS NULL`;
    expectSql((sql) => sql.isPending("file:///lake/o'brien.parquet", 'abc'), {
      duckdb: same,
      postgres: same,
      redshift: same,
    });
  });

  it('a table name reaches the row count only as a quoted identifier', () => {
    expect(dialects.postgres.tableRows('a"b')).toBe('SELECT count(*) AS table_rows FROM "a""b"');
  });

  it('refuses windows, limits and example counts that are not whole positive numbers', () => {
    const sql = dialects.duckdb;
    expect(() => sql.overview(1.5)).toThrow(/whole seconds/);
    expect(() => sql.latency({ seconds: 0 }, 'hour')).toThrow(/whole seconds/);
    expect(() => sql.pendingDeadLetters(-1)).toThrow(/whole number/);
    expect(() => sql.failureExamples(0)).toThrow(/whole number/);
  });
});
