// The real binary in a child process: exit codes, stdout/stderr separation and files on disk.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEAD_LETTER_TABLE, LEDGER_TABLE, openWarehouse } from '@lakeload/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('lakeload', () => {
  it('lists the commands with --help and exits 2 without a command', () => {
    const help = lakeload('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}demo .*\n {2}generate .*\n {2}convert /);
    expect(lakeload().code).toBe(2);
    const unknown = lakeload('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it.each(['demo', 'generate', 'convert', 'load', 'replay', 'status'])(
    'documents every option and the exit codes in "%s --help"',
    (command) => {
      const { code, stdout } = lakeload(command, '--help');
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: lakeload ${command}`);
      expect(stdout).toContain('--json');
      expect(stdout).toContain('Exit codes: 0 success, 1 failure, 2 usage error');
      expect(stdout).toContain('130 interrupted.');
    },
  );

  it('says what exit code 3 means only for the commands that use it, and lists summaries once', () => {
    expect(lakeload('convert', '--help').stdout).toContain('3 rejects found (with --fail-on-rejects)');
    expect(lakeload('reconcile', '--help').stdout).toContain('3 drift found');
    expect(lakeload('load', '--help').stdout).not.toMatch(/\b3 (rejects|drift)/);
    expect(lakeload('--help').stdout).not.toContain('..');
  });

  it('generates the same bytes for the same seed and reports a JSON summary', async () => {
    const generate = (out: string) =>
      lakeload('generate', '--orders', '120', '--seed', '9', '--dirty-rate', '0.2', '--out', out, '--json');
    const first = generate('a.jsonl');
    const second = generate('b.jsonl');
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stderr).toBe('');
    const summary = JSON.parse(first.stdout) as {
      orders: number;
      records: number;
      dirtyRecords: number;
      dirty: Record<string, number>;
    };
    expect(summary.orders).toBe(120);
    expect(summary.dirtyRecords).toBe(Object.values(summary.dirty).reduce((a, b) => a + b, 0));
    expect(await readFile(join(dir, 'a.jsonl'))).toEqual(await readFile(join(dir, 'b.jsonl')));
    expect((await readFile(join(dir, 'a.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(summary.records);
  });

  it('writes data to stdout with --out - and the summary to stderr', () => {
    const { code, stdout, stderr } = lakeload('generate', '--orders', '5', '--format', 'csv', '--out', '-');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^order_id,order_date,/);
    expect(stderr).toMatch(/^Wrote \d+ records .* as csv to -/);
  });

  it.each([
    [['generate', '--orders', 'ten', '--out', 'x.jsonl'], /--orders expects a whole number, got "ten"/],
    [['generate', '--orders', '10'], /--out is required/],
    [
      ['generate', '--orders', '10', '--format', 'xml', '--out', 'x'],
      /--format must be one of json, jsonl, csv/,
    ],
    [['generate', '--out', 'x.jsonl', '--start-date', '2025-13-01'], /start date must be a real date/],
    [['generate', '--bogus'], /Unknown option '--bogus'/],
    [['convert', 'in'], /--out is required/],
    [['convert', '--out', 'lake'], /name at least one input/],
    [['convert', 'missing.jsonl', '--out', 'lake'], /input "missing\.jsonl" does not exist/],
  ])('exits 2 with a message naming the problem: %j', (args, message) => {
    const { code, stderr } = lakeload(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('converts with a JSON summary, exits 3 on rejects with --fail-on-rejects and 1 when an input fails', async () => {
    expect(
      lakeload('generate', '--orders', '200', '--dirty-rate', '0.1', '--out', 'in/orders.jsonl').code,
    ).toBe(0);
    const ok = lakeload('convert', 'in', '--out', 'lake', '--json');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    const summary = JSON.parse(ok.stdout) as {
      rejected: number;
      valid: number;
      datasets: Record<string, { files: number }>;
    };
    expect(summary.rejected).toBeGreaterThan(0);
    expect(summary.datasets.order_items?.files).toBe(7);

    expect(lakeload('convert', 'in', '--out', 'lake', '--fail-on-rejects').code).toBe(3);

    await writeFile(join(dir, 'in', 'broken.json'), '{"not": "an array"}\n');
    const failed = lakeload('convert', 'in', '--out', 'lake');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/Converted 1 of 2 inputs/);
    expect(failed.stdout).toMatch(/FAILED .*broken\.json: is not a valid JSON array/);
  });

  it('loads converted files into DuckDB exactly once, and reports a broken file with a tip', async () => {
    expect(lakeload('generate', '--orders', '300', '--days', '2', '--out', 'exports/orders.jsonl').code).toBe(
      0,
    );
    expect(lakeload('convert', 'exports', '--out', 'bucket').code).toBe(0);
    const warehouse = 'duckdb:warehouse/lake.duckdb';
    const first = lakeload(
      'load',
      'bucket',
      '--warehouse',
      warehouse,
      '--json',
      '--notify',
      'console',
      '--notify',
      'jsonl:logs/loads.jsonl',
    );
    expect(first.code).toBe(0);
    // Structured logs on stderr, one JSON object per event, and the same events in the file.
    const logged = first.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; level: string });
    expect(logged.filter((event) => event.type === 'loaded')).toHaveLength(6);
    expect((await readFile(join(dir, 'logs', 'loads.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(
      logged.length,
    );
    const loaded = JSON.parse(first.stdout) as {
      loaded: number;
      duplicate: number;
      failed: number;
      inserted: number;
    };
    expect(loaded).toMatchObject({ loaded: 6, duplicate: 0, failed: 0 });
    expect(loaded.inserted).toBeGreaterThan(300);
    const again = JSON.parse(
      lakeload('load', 'bucket', '--warehouse', warehouse, '--json').stdout,
    ) as typeof loaded;
    expect(again).toMatchObject({ loaded: 0, duplicate: 6, inserted: 0 });

    await writeFile(
      join(dir, 'bucket', 'year=2025', 'month=11', 'day=01', 'order_summary', 'export.parquet'),
      'order_id,total\n1,2\n',
    );
    const broken = lakeload('load', 'bucket', '--warehouse', warehouse);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/FAILED .*export\.parquet\n.*not a Parquet file.*\n\s+tip: /);
    expect(broken.stdout).toMatch(/0 loaded .* 6 already loaded, 0 skipped, 1 failed/);

    // The broken file is a dead letter; once fixed, replay loads it and clears it.
    const fixed = join(dir, 'bucket', 'year=2025', 'month=11', 'day=01', 'order_summary', 'export.parquet');
    const good = (await readdir(join(dir, 'bucket'), { recursive: true })).find((file) =>
      file.includes('/order_summary/order_summary_'),
    );
    await writeFile(fixed, await readFile(join(dir, 'bucket', good ?? '')));
    const replayed = lakeload('replay', '--warehouse', warehouse, '--json');
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ loaded: 1, failed: 0, unreachable: [] });
    expect(lakeload('replay', '--warehouse', warehouse).stdout).toBe('No dead letters.\n');

    const status = JSON.parse(lakeload('status', '--warehouse', warehouse, '--json').stdout) as {
      tables: { table: string; files: unknown; rows: string }[];
      recentFailures: { error: string }[];
      deadLetters: unknown[];
    };
    expect(status.tables.map((row) => row.table)).toEqual([
      'order_flattened',
      'order_items',
      'order_summary',
    ]);
    expect(status.tables[2]?.rows).toBe('300');
    expect(status.recentFailures[0]?.error).toMatch(/not a Parquet file/);
    expect(status.deadLetters).toEqual([]);
  });

  it('status and replay only read: a fresh warehouse is left without the ledger tables', async () => {
    const warehouse = `duckdb:${join(dir, 'read-only.duckdb')}`;
    const status = lakeload('status', '--warehouse', warehouse, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      tables: [],
      recentLoads: [],
      recentFailures: [],
      deadLetters: [],
    });
    expect(lakeload('replay', '--warehouse', warehouse).stdout).toBe('No dead letters.\n');
    const driver = await openWarehouse(warehouse);
    try {
      expect(await driver.tableColumns(LEDGER_TABLE)).toBeUndefined();
      expect(await driver.tableColumns(DEAD_LETTER_TABLE)).toBeUndefined();
    } finally {
      await driver.close();
    }
  });

  it('routes and keys tables as the configuration file says', async () => {
    expect(lakeload('generate', '--orders', '50', '--days', '1', '--out', 'cfg/orders.jsonl').code).toBe(0);
    expect(lakeload('convert', 'cfg', '--out', 'cfg-bucket').code).toBe(0);
    await writeFile(
      join(dir, 'lakeload.config.json'),
      JSON.stringify({
        routes: [{ prefix: 'year=2025/month=11/day=01/order_items/', table: 'first_day_items' }],
        tables: { first_day_items: { keys: ['order_id', 'line_number'], version: 'updated_at' } },
      }),
    );
    try {
      const result = lakeload('load', 'cfg-bucket', '--warehouse', 'duckdb:cfg.duckdb', '--json');
      expect(result.code).toBe(0);
      const tables = (JSON.parse(result.stdout) as { objects: { table?: string }[] }).objects.map(
        (object) => object.table,
      );
      expect(tables).toContain('first_day_items');
      expect(tables).not.toContain('order_items');
    } finally {
      await rm(join(dir, 'lakeload.config.json'));
    }
  });

  it.each([
    [['load', 'bucket', '--warehouse', 'mysql://x'], /--warehouse: unsupported warehouse URL "mysql:\/\/x"/],
    [['load', 'nowhere'], /"nowhere" does not exist/],
    [['load'], /name at least one Parquet file or folder/],
    [['load', 'bucket', '--config', 'missing.json'], /missing\.json: cannot be read/],
    [
      ['load', 'bucket', '--notify', 'webhook:ftp://secret@x'],
      /--notify webhook:<url> needs an http:\/\/ or https:\/\/ URL \(the value given is not shown\)$/m,
    ],
    [
      ['load', 'bucket', '--notify', 'slack:https://hooks.example/x'],
      /--notify expects console, jsonl:<file> or webhook:<http\(s\) url>, got "slack:…"/,
    ],
  ])('refuses a bad load command line: %j', (args, message) => {
    const { code, stderr } = lakeload(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('runs the demo end to end, and a second run loads nothing twice', () => {
    const first = lakeload('demo', '--out', 'demo', '--orders', '300', '--json');
    expect(first.code).toBe(0);
    type Demo = {
      generated: unknown[];
      converted: { failedInputs: number; inputs: unknown[]; valid: number };
      loaded: { loaded: number; duplicate: number; failed: number; inserted: number };
      analytics: Record<string, { status?: string; orders?: string }[]>;
    };
    const result = JSON.parse(first.stdout) as Demo;
    expect(result.generated).toHaveLength(2);
    expect(result.converted.failedInputs).toBe(0);
    expect(result.converted.valid).toBeGreaterThan(500);
    expect(result.loaded).toMatchObject({ duplicate: 0, failed: 0 });
    expect(result.loaded.loaded).toBeGreaterThan(0);
    const byStatus = result.analytics['orders by status'] ?? [];
    // 600 orders, less those whose only record was one of the injected bad ones.
    const orders = byStatus.reduce((sum, row) => sum + Number(row.orders), 0);
    expect(orders).toBeGreaterThan(550);
    expect(orders).toBeLessThanOrEqual(600);

    const second = JSON.parse(lakeload('demo', '--out', 'demo', '--orders', '300', '--json').stdout) as Demo;
    expect(second.loaded).toMatchObject({ loaded: 0, duplicate: result.loaded.loaded, inserted: 0 });
  });
});
