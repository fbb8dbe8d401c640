// The reports' SQL, exact per dialect (the same text on DuckDB, PostgreSQL and Redshift), and the
// validation of names, dates and limits.
import { describe, expect, it } from 'vitest';
import { REPORT_NAMES, reportName, reportSql } from '../../src/reports/reports.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import type { SqlQuoting } from '../../src/warehouse/sql-compiler.js';

const compilers = [new DuckDBSqlCompiler(), new PostgresSqlCompiler(), new RedshiftSqlCompiler()];

function expectSql(build: (q: SqlQuoting) => string, expected: string) {
  for (const compiler of compilers) expect(build(compiler), compiler.constructor.name).toBe(expected);
}

describe('report SQL', () => {
  it('daily revenue, with and without a range', () => {
    expectSql(
      (q) => reportSql(q, 'daily-revenue'),
      `SELECT CAST("order_day" AS VARCHAR) AS "day", CAST(count(*) AS VARCHAR) AS "orders", CAST(sum("total") AS VARCHAR) AS "revenue" FROM "order_summary" WHERE "status" NOT IN ('cancelled', 'returned') GROUP BY "order_day" ORDER BY "order_day"`,
    );
    expectSql(
      (q) => reportSql(q, 'daily-revenue', { from: '2025-11-10', to: '2025-11-11' }),
      `SELECT CAST("order_day" AS VARCHAR) AS "day", CAST(count(*) AS VARCHAR) AS "orders", CAST(sum("total") AS VARCHAR) AS "revenue" FROM "order_summary" WHERE "status" NOT IN ('cancelled', 'returned') AND "order_day" >= CAST('2025-11-10' AS DATE) AND "order_day" <= CAST('2025-11-11' AS DATE) GROUP BY "order_day" ORDER BY "order_day"`,
    );
  });

  it('top products, ties broken by SKU', () => {
    expectSql(
      (q) => reportSql(q, 'top-products', { limit: 5, from: '2025-11-10' }),
      `SELECT "sku", "product_name", CAST(sum("quantity") AS VARCHAR) AS "units", CAST(sum("line_total") AS VARCHAR) AS "revenue" FROM "order_flattened" WHERE "status" NOT IN ('cancelled', 'returned') AND "order_day" >= CAST('2025-11-10' AS DATE) GROUP BY "sku", "product_name" ORDER BY sum("line_total") DESC, "sku" LIMIT 5`,
    );
  });

  it('status funnel', () => {
    expectSql(
      (q) => reportSql(q, 'status-funnel', { to: '2025-11-12' }),
      `WITH "by_status" AS (SELECT "status", CASE "status" WHEN 'pending' THEN 1 WHEN 'paid' THEN 2 WHEN 'shipped' THEN 3 WHEN 'delivered' THEN 4 WHEN 'returned' THEN 5 ELSE 6 END AS "stage", count(*) AS "orders", sum("total") AS "value" FROM "order_summary" WHERE "order_day" <= CAST('2025-11-12' AS DATE) GROUP BY "status") SELECT "status", CAST("stage" AS VARCHAR) AS "stage", CAST("orders" AS VARCHAR) AS "orders", CAST(CASE WHEN "stage" = 1 THEN sum("orders") OVER () WHEN "stage" > 5 THEN "orders" ELSE sum(CASE WHEN "stage" <= 5 THEN "orders" ELSE 0 END) OVER (ORDER BY "stage" DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END AS VARCHAR) AS "reached", CAST("value" AS VARCHAR) AS "value" FROM "by_status" ORDER BY "stage", "status"`,
    );
  });

  it('customer lifetime value', () => {
    expectSql(
      (q) => reportSql(q, 'customer-ltv'),
      `SELECT CAST("customer_id" AS VARCHAR) AS "customer_id", "customer_name", CAST(count(*) AS VARCHAR) AS "orders", CAST(min("order_day") AS VARCHAR) AS "first_order", CAST(max("order_day") AS VARCHAR) AS "last_order", CAST(sum("total") AS VARCHAR) AS "lifetime_value" FROM "order_summary" WHERE "status" NOT IN ('cancelled', 'returned') GROUP BY "customer_id", "customer_name" ORDER BY sum("total") DESC, "customer_id" LIMIT 10`,
    );
  });

  it('refuses unknown reports, impossible or reversed dates and bad limits, naming the option', () => {
    expect(REPORT_NAMES).toEqual(['daily-revenue', 'top-products', 'status-funnel', 'customer-ltv']);
    expect(() => reportName('revenue')).toThrow(/unknown report "revenue"; choose one of daily-revenue, /);
    const q = new PostgresSqlCompiler();
    expect(() => reportSql(q, 'daily-revenue', { from: '2025-02-30' })).toThrow(/--from must be a real date/);
    expect(() => reportSql(q, 'daily-revenue', { to: "2025-01-01' OR 1=1 --" })).toThrow(
      /--to must be a real date/,
    );
    expect(() => reportSql(q, 'daily-revenue', { from: '2025-11-12', to: '2025-11-10' })).toThrow(
      /is after --to/,
    );
    expect(() => reportSql(q, 'top-products', { limit: 0 })).toThrow(/--limit must be a whole number/);
  });
});
