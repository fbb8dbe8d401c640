// `lakeload rehearse`, the real binary in a child process: generated orders through the local AWS
// stand-ins and the real Lambda bundle into PostgreSQL (127.0.0.1:5432, a schema of this test's own).
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse } from '@lakeload/loader';
import { POSTGRES } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const schema = `cli_rehearse_${process.pid}`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-rehearse-'));
});
afterAll(async () => {
  // The command leaves its schema in place for inspection; the test removes it.
  const driver = await openWarehouse(POSTGRES);
  await driver.runDdl([`DROP SCHEMA IF EXISTS ${schema} CASCADE`]);
  await driver.close();
  await rm(dir, { recursive: true, force: true });
});

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('lakeload rehearse', () => {
  it('documents its options, the exit codes and what it does not prove', () => {
    const { code, stdout } = lakeload('rehearse', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: lakeload rehearse');
    for (const option of ['--orders', '--lake', '--postgres', '--schema', '--duplicates', '--json']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('does not prove Redshift itself');
    expect(stdout).toContain('Exit codes: 0 success, 1 failure, 2 usage error');
  });

  it('runs generated orders through the real handler into PostgreSQL and reports them as JSON', async () => {
    const { code, stdout, stderr } = lakeload(
      'rehearse',
      '--orders',
      '60',
      '--postgres',
      POSTGRES,
      '--schema',
      schema,
      '--duplicates',
      '--logs',
      'function.log',
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // stdout is the report alone: the function's logs and metrics were captured, not printed.
    const report = JSON.parse(stdout);
    expect(report.warehouse).toMatchObject({ url: 'redshift-data://workgroup/rehearsal/test', schema });
    expect(report.tables.map((t: { table: string }) => t.table)).toEqual([
      'order_flattened',
      'order_items',
      'order_summary',
    ]);
    expect(report.tables.every((t: { rows: number }) => t.rows > 0)).toBe(true);
    const parquet = report.ledger.find((entry: { status: string }) => entry.status === 'loaded');
    expect(parquet.files).toBeGreaterThan(0);
    expect(report.ledger.every((entry: { status: string }) => entry.status === 'loaded')).toBe(true);
    expect(report.delivery.deadLetters).toEqual([]);
    expect(report.statements.copies).toBeGreaterThan(0);
    expect(report.notifications.length).toBeGreaterThan(0);
    expect(report.logLines).toBeGreaterThan(0);
    const logs = (await readFile(join(dir, 'function.log'), 'utf8')).trim().split('\n');
    expect(logs).toHaveLength(report.logLines);
    expect(logs.some((line) => JSON.parse(line).message === 'loaded')).toBe(true);
    // Every event came twice; the duplicates were recognised, none loaded twice.
    const duplicates = Object.entries(report.metrics as Record<string, number>)
      .filter(([name]) => name.startsWith('Duplicates'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(duplicates).toBe(parquet.files);
  });

  it('fails with exit code 1 and a clear message when PostgreSQL is not there', () => {
    const { code, stderr } = lakeload(
      'rehearse',
      '--lake',
      dir,
      '--postgres',
      'postgres://postgres@127.0.0.1:1/test',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /PostgreSQL \(standing in for Redshift\) is not reachable at postgres:\/\/postgres@127\.0\.0\.1:1\/test/,
    );
  });
});
