// `lakeload report` as a child process: the same rows from DuckDB and PostgreSQL loaded with the
// same files, CSV and JSON output, the demo printing the very same report, and usage errors.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse, REPORT_NAMES, reportSql } from '@lakeload/loader';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let schema: TestSchema;
let PG: string;
let dir: string;

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-report-'));
  schema = await createTestSchema('lakeload_report');
  PG = schema.url;
  expect(lakeload('demo', '--out', 'demo', '--orders', '200', '--json').code).toBe(0);
  expect(lakeload('load', 'demo/lake', '--warehouse', PG, '--json').code).toBe(0);
});
afterAll(async () => {
  await schema?.drop();
  await rm(dir, { recursive: true, force: true });
});

const DUCKDB = 'duckdb:demo/warehouse.duckdb';

describe('lakeload report', () => {
  it.each(['daily-revenue', 'top-products', 'status-funnel', 'customer-ltv'])(
    '%s: the same JSON rows from DuckDB and PostgreSQL',
    (name) => {
      const run = (warehouse: string) => {
        const result = lakeload('report', name, '--warehouse', warehouse, '--from', '2025-11-10', '--json');
        expect(result.code, result.stderr).toBe(0);
        return (JSON.parse(result.stdout) as { rows: Record<string, string>[] }).rows;
      };
      const rows = run(DUCKDB);
      expect(rows.length).toBeGreaterThan(0);
      expect(run(PG)).toEqual(rows);
    },
  );

  it('prints what the demo printed (one definition), as CSV and as a table', () => {
    const demo = JSON.parse(lakeload('demo', '--out', 'demo', '--orders', '200', '--json').stdout) as {
      analytics: Record<string, unknown[]>;
    };
    const daily = JSON.parse(lakeload('report', 'daily-revenue', '--warehouse', DUCKDB, '--json').stdout) as {
      rows: unknown[];
    };
    expect(daily.rows).toEqual(demo.analytics['daily revenue (orders not cancelled or returned)']);
    const csv = lakeload('report', 'top-products', '--warehouse', PG, '--limit', '3', '--csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('sku,product_name,units,revenue');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^SKU-\d+,.*,\d+,\d+\.\d{2}$/);
    const table = lakeload('report', 'status-funnel', '--warehouse', DUCKDB);
    expect(table.stdout).toMatch(/status\s+stage\s+orders\s+reached\s+value\n\s+pending\s+1\s/);
  });

  it('documents in the README exactly the SQL each report sends', async () => {
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const driver = await openWarehouse(`duckdb:${join(dir, 'sql.duckdb')}`);
    try {
      for (const name of REPORT_NAMES) expect(readme).toContain(`  ${reportSql(driver.compiler, name)}\n`);
    } finally {
      await driver.close();
    }
  });

  it('exits 2 naming the option, 1 when the tables are not there', () => {
    expect(lakeload('report', '--help').stdout).toContain('Usage: lakeload report');
    expect(lakeload('report', 'revenue', '--warehouse', DUCKDB).stderr).toMatch(/unknown report "revenue"/);
    const date = lakeload('report', 'daily-revenue', '--warehouse', DUCKDB, '--from', '2025-02-30');
    expect(date.code).toBe(2);
    expect(date.stderr).toMatch(/--from must be a real date/);
    expect(lakeload('report', 'daily-revenue', '--warehouse', DUCKDB, '--json', '--csv').code).toBe(2);
    const empty = lakeload('report', 'daily-revenue', '--warehouse', 'duckdb:empty.duckdb');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/does not have: load the converted orders first/);
  });
});
