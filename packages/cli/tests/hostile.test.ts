// A planted password and token, and file names holding terminal escape sequences, through every
// command that prints (the real binary, on PostgreSQL): no output holds the secrets or a raw
// control character, and JSON output still gives the names back exactly.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const PASSWORD = 'Pl4ntedPassw0rd';
const QUERY_PASSWORD = 'Pl4ntedQu3ryPass';
const TOKEN = 'Pl4ntedT0ken';
// An OSC sequence (set the window title) and a C1 CSI (clear the screen); `[` is left out of the
// loaded file's name, since the DuckDB reader refuses glob characters in paths.
const EVIL_FILE = 'x\u001b]0;pwned\u0007\u009b2J.parquet';
const EVIL_FOLDER = 'bad\u001b[31m';

let dir: string;
let schema: TestSchema;
let warehouse: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-cli-hostile-'));
  schema = await createTestSchema('lakeload_cli_hostile');
  // Trust auth takes any password: the planted ones only have to travel through the CLI.
  warehouse = `${POSTGRES.replace(/:\/\/([^:@/]+)@/, `://$1:${PASSWORD}@`)}?password=${QUERY_PASSWORD}&options=-c%20search_path%3D${schema.name}`;
  expect(warehouse).toContain(PASSWORD);
  const lake = join(dir, 'lake');
  await mkdir(join(lake, 'orders'), { recursive: true });
  await mkdir(join(lake, EVIL_FOLDER), { recursive: true });
  await mkdir(join(dir, 'elsewhere', 'linked_items'), { recursive: true });
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  const write = (path: string) => connection.run(`COPY (SELECT 1 AS id) TO '${path}' (FORMAT parquet)`);
  await write(join(lake, 'orders', EVIL_FILE));
  await write(join(dir, 'elsewhere', 'linked_items', 'a.parquet'));
  connection.closeSync();
  duck.closeSync();
  await writeFile(join(lake, EVIL_FOLDER, 'y.parquet'), 'not parquet at all');
  await symlink(join(dir, 'elsewhere', 'linked_items'), join(lake, 'linked_items'));
});
afterAll(async () => {
  await schema?.drop();
  await rm(dir, { recursive: true, force: true });
});

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Neither the planted secrets nor a raw control character (newlines and tabs aside). */
function expectClean(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(QUERY_PASSWORD);
  expect(text).not.toContain(TOKEN);
  const controls = [...text].filter((char) => /\p{Cc}/u.test(char) && char !== '\n' && char !== '\t');
  expect(controls).toEqual([]);
}

describe('a hostile lake through the CLI', () => {
  it('load: JSON and text keep secrets and escapes out; JSON gives the names back; linked folders load', () => {
    const json = lakeload('load', 'lake', '--warehouse', warehouse, '--json', '--notify', 'console');
    expectClean(json.stdout);
    expectClean(json.stderr);
    expect(json.code).toBe(1);
    const summary = JSON.parse(json.stdout) as {
      warehouse: string;
      loaded: number;
      failed: number;
      objects: { uri: string; status: string; table?: string }[];
    };
    expect(summary.warehouse).toMatch(/^postgres:\/\/postgres:\*\*\*@.*password=\*\*\*/);
    expect(summary.loaded).toBe(2);
    expect(summary.failed).toBe(1);
    const uris = summary.objects.map((object) => object.uri);
    expect(uris).toContain(`file://${join(dir, 'lake', 'orders', EVIL_FILE)}`);
    expect(uris).toContain(`file://${join(dir, 'lake', 'linked_items', 'a.parquet')}`);
    expect(uris).toContain(`file://${join(dir, 'lake', EVIL_FOLDER, 'y.parquet')}`);
    // Console notifications are JSON lines that parse back to the same names.
    const events = json.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { uri: string });
    expect(events.map((event) => event.uri)).toContain(`file://${join(dir, 'lake', 'orders', EVIL_FILE)}`);

    const text = lakeload('load', 'lake', '--warehouse', warehouse);
    expectClean(text.stdout + text.stderr);
    expect(text.stdout).toContain('\\u001b]0;pwned\\u0007');
    expect(text.stdout).toMatch(
      /0 loaded .* 2 already loaded, 0 skipped, 1 failed → postgres:\/\/postgres:\*\*\*@/,
    );
  });

  it('status, replay and reconcile print neither the secrets nor raw escapes', () => {
    for (const args of [
      ['status', '--warehouse', warehouse],
      ['status', '--warehouse', warehouse, '--json'],
      ['replay', '--warehouse', warehouse],
      ['replay', '--warehouse', warehouse, '--json'],
      ['reconcile', 'lake', '--warehouse', warehouse],
      ['reconcile', 'lake', '--warehouse', warehouse, '--json'],
    ]) {
      const run = lakeload(...args);
      expectClean(run.stdout);
      expectClean(run.stderr);
      expect(run.stdout, args.join(' ')).not.toBe('');
    }
  });

  it('a webhook URL is never echoed: not in a usage error, not when the webhook fails', () => {
    const schemeless = lakeload(
      'load',
      'lake',
      '--warehouse',
      warehouse,
      '--notify',
      `webhook:hooks.example/${TOKEN}`,
    );
    expect(schemeless.code).toBe(2);
    expect(schemeless.stderr).toMatch(/needs an http:\/\/ or https:\/\/ URL/);
    expectClean(schemeless.stderr);
    const unreachable = lakeload(
      'load',
      'lake',
      '--warehouse',
      warehouse,
      '--notify',
      `webhook:http://127.0.0.1:9/services/${TOKEN}`,
    );
    expect(unreachable.stderr).toMatch(/a notifier failed: the webhook did not accept/);
    expectClean(unreachable.stdout + unreachable.stderr);
  });

  it('a warehouse that refuses the connection is named without its password', () => {
    const refused = lakeload('status', '--warehouse', `postgres://postgres:${PASSWORD}@127.0.0.1:9/test`);
    expect(refused.code).toBe(1);
    expectClean(refused.stdout + refused.stderr);
  });

  it("the dashboard's start line shows the warehouse without its password", async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [bin, 'dashboard', '--warehouse', warehouse, '--port', '0'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ctrl-C stops')) resolve();
      });
      child.on('exit', () => reject(new Error(`the dashboard exited: ${out}`)));
    });
    const page = await fetch(/(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1] as string);
    const html = await page.text();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/over postgres:\/\/postgres:\*\*\*@/);
    expectClean(out);
    expectClean(html);
  });
});
