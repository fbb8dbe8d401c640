// The binary under duress: `watch` picking up files as they land and surviving a restart, and a
// `load` of 100+ files SIGKILLed at random moments until it completes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-duress-'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  expect(
    run('generate', '--orders', '30000', '--days', '36', '--update-rate', '0.3', '--out', 'in/orders.jsonl')
      .status,
  ).toBe(0);
  expect(run('convert', 'in', '--out', 'lake').status).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the binary in its own process group, as a terminal starts a job. */
function start(args: string[]): ChildProcess & { lines: string[] } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  return Object.assign(child, { lines });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

async function parquetFiles(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).filter((file) => file.endsWith('.parquet'));
}

async function query(database: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(
    database,
    database === ':memory:' ? {} : { access_mode: 'READ_ONLY' },
  );
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('under duress', () => {
  it('watch loads what is there and what lands, stops cleanly on Ctrl-C, and a restart reloads nothing', async () => {
    const landing = join(dir, 'landing');
    const files = (await parquetFiles(join(dir, 'lake')))
      .filter((file) => file.includes('order_summary'))
      .slice(0, 4);
    for (const file of files.slice(0, 3)) {
      await mkdir(dirname(join(landing, file)), { recursive: true });
      await copyFile(join(dir, 'lake', file), join(landing, file));
    }
    const args = ['watch', 'landing', '--warehouse', 'duckdb:watch.duckdb', '--interval', '100', '--json'];
    const first = start(args);
    const loaded = () => first.lines.filter((line) => line.includes('"status":"loaded"')).length;
    await until(() => loaded() === 3, 20_000);
    // The process a signal is sent to is the one doing the work (it re-executed itself with the
    // arena setting, keeping its pid) and has no second node process to pass a copy on to: a copy
    // arriving while the worker exited used to kill it (exit by SIGINT instead of 0 under load).
    const environ = (await readFile(`/proc/${first.pid}/environ`, 'utf8')).split('\0');
    expect(environ).toContain('MALLOC_ARENA_MAX=2');
    expect(await readFile(`/proc/${first.pid}/task/${first.pid}/children`, 'utf8')).toBe('');
    const late = files[3] ?? '';
    await mkdir(dirname(join(landing, late)), { recursive: true });
    await copyFile(join(dir, 'lake', late), join(landing, late));
    await until(() => loaded() === 4, 20_000);
    process.kill(-(first.pid ?? 0), 'SIGINT');
    expect(await exited(first)).toBe(0);
    expect(JSON.parse(first.lines.at(-1) ?? '{}')).toMatchObject({ loaded: 4, failed: 0 });

    const second = start(args);
    await until(
      () => second.lines.filter((line) => line.includes('"status":"duplicate"')).length === 4,
      20_000,
    );
    process.kill(-(second.pid ?? 0), 'SIGINT');
    expect(await exited(second)).toBe(0);
    expect(second.lines.some((line) => line.includes('"status":"loaded"'))).toBe(false);
  });

  it('a load of 100+ files in batches killed at random moments and restarted until done equals the oracle, each file once', async () => {
    const lake = join(dir, 'lake');
    expect((await parquetFiles(lake)).length).toBeGreaterThanOrEqual(100);
    // Three files per transaction: a kill lands inside a batch, and a restart finds the batches
    // committed before it in the ledger.
    const args = ['load', 'lake', '--warehouse', 'duckdb:crash.duckdb', '--batch-files', '3', '--json'];
    let kills = 0;
    let completed: number | null = null;
    // Killed mid-way eight times (start-up takes about a second), then left to finish.
    for (let attempt = 0; attempt <= 8 && completed === null; attempt++) {
      const child = start(args);
      const code = exited(child);
      if (attempt === 8) {
        completed = await code;
        break;
      }
      const delay = 700 + ((attempt * 7919) % 900);
      const outcome = await Promise.race([
        code,
        new Promise<'kill'>((resolve) => setTimeout(() => resolve('kill'), delay)),
      ]);
      if (outcome !== 'kill') {
        completed = outcome;
        break;
      }
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      await code;
      kills += 1;
    }
    expect(completed).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(2);
    const warehouse = join(dir, 'crash.duckdb');
    const perFile = await query(
      warehouse,
      `SELECT count(*) FILTER (WHERE n <> 1), count(*) FROM (SELECT object_uri, count(*) AS n FROM lakeload_load_history WHERE status = 'loaded' GROUP BY object_uri)`,
    );
    expect(perFile).toEqual([['0', String((await parquetFiles(lake)).length)]]);
    for (const [table, keys] of [
      ['order_summary', 'order_id'],
      ['order_items', 'order_id, line_number'],
    ] as const) {
      const oracle = await query(
        ':memory:',
        `SELECT count(*), CAST(sum(hash(${keys}, updated_at)) AS VARCHAR) FROM (SELECT * FROM read_parquet('${lake}/*/*/*/${table}/*.parquet') QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY updated_at DESC) = 1)`,
      );
      const stored = await query(
        warehouse,
        `SELECT count(*), CAST(sum(hash(${keys}, updated_at)) AS VARCHAR) FROM ${table}`,
      );
      expect(stored, table).toEqual(oracle);
    }
  });
});
