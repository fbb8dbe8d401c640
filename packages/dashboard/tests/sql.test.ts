// The dashboard's SQL per dialect: exact text, quoting through each compiler's one function, and
// refusal of windows that are not whole seconds.
import { DuckDBSqlCompiler } from '@lakeload/loader/duckdb';
import { PostgresSqlCompiler } from '@lakeload/loader/postgres';
import { RedshiftSqlCompiler } from '@lakeload/loader/redshift';
import { describe, expect, it } from 'vitest';
import { DashboardSql } from '../src/sql.js';

/** 2026-12-01 19:45:00 UTC. */
const SINCE = Date.UTC(2026, 11, 1, 19, 45) / 1000;

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
    const same = `SELECT floor(extract(epoch FROM recorded_at) / 3600) * 3600 AS bucket, count(*) AS files, percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(duration_ms AS DOUBLE PRECISION)) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY CAST(duration_ms AS DOUBLE PRECISION)) AS p95, max(duration_ms) AS max_ms FROM "lakeload_load_history" WHERE status = 'loaded' AND recorded_at >= CAST('2026-12-01 19:45:00+00' AS TIMESTAMP WITH TIME ZONE) AND target_table = 'order_summary' GROUP BY 1 ORDER BY 1`;
    expectSql((sql) => sql.latency({ since: SINCE, table: 'order_summary' }, 'hour'), {
      duckdb: same,
      postgres: same,
      redshift: same,
    });
  });

  it('activity per bucket and table', () => {
    const same = `SELECT floor(extract(epoch FROM recorded_at) / 60) * 60 AS bucket, target_table, sum(CASE WHEN status = 'loaded' THEN 1 ELSE 0 END) AS loaded, sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM "lakeload_load_history" WHERE recorded_at >= CAST('2026-12-01 19:45:00+00' AS TIMESTAMP WITH TIME ZONE) GROUP BY 1, 2 ORDER BY 1, 2`;
    expectSql((sql) => sql.activity({ since: SINCE }, 'minute'), {
      duckdb: same,
      postgres: same,
      redshift: same,
    });
  });

  it('a hostile table filter stays one literal in every dialect', () => {
    const hostile = "x' OR '1'='1\\";
    expectSql((sql) => sql.activity({ since: SINCE, table: hostile }, 'day').split('AND ')[1] ?? '', {
      duckdb: "target_table = 'x'' OR ''1''=''1\\' GROUP BY 1, 2 ORDER BY 1, 2",
      postgres: "target_table = 'x'' OR ''1''=''1\\' GROUP BY 1, 2 ORDER BY 1, 2",
      // Redshift never writes a backslash inside quotes (its compiler joins CHR(92)).
      redshift: "target_table = ('x'' OR ''1''=''1' || CHR(92) || '') GROUP BY 1, 2 ORDER BY 1, 2",
    });
  });

  it('names no current-time function: Redshift refuses CURRENT_TIMESTAMP over tables', () => {
    for (const sql of Object.values(dialects)) {
      const statements = [
        sql.overview(SINCE),
        sql.deadLetterCounts(SINCE),
        sql.activity({ since: SINCE }, 'hour'),
        sql.latency({ since: SINCE }, 'hour'),
        sql.freshness(),
        sql.failureGroups(),
        sql.failureExamples(3),
        sql.pendingDeadLetters(10),
      ];
      for (const statement of statements) expect(statement).not.toMatch(/CURRENT_TIMESTAMP|GETDATE|now\(/i);
    }
  });

  it('a table name reaches the row count only as a quoted identifier', () => {
    expect(dialects.postgres.tableRows('a"b')).toBe('SELECT count(*) AS table_rows FROM "a""b"');
  });

  it('refuses windows, limits and example counts that are not whole positive numbers', () => {
    const sql = dialects.duckdb;
    expect(() => sql.overview(SINCE + 0.5)).toThrow(/a window start must be a whole number/);
    expect(() => sql.latency({ since: 0 }, 'hour')).toThrow(/a window start must be a whole number/);
    expect(() => sql.pendingDeadLetters(-1)).toThrow(/whole number/);
    expect(() => sql.failureExamples(0)).toThrow(/whole number/);
  });
});
