// `lakeload dashboard` as the real binary: help and usage errors, a server over a DuckDB file that
// answers the API read-only, and Ctrl-C closing the server and the warehouse (exit 0).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse } from '@lakeload/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-cli-dashboard-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Resolves with the URL the server prints once it listens. */
function served(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`dashboard exited ${code} before serving: ${out}${err}`)));
  });
}

describe('lakeload dashboard', () => {
  it('documents its options and exit codes, and refuses bad ones with exit 2', () => {
    const help = lakeload('dashboard', '--help');
    expect(help.code).toBe(0);
    for (const option of ['--warehouse', '--port', '--host', '--allow-actions', '--config', '--refresh'])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toMatch(/Exit codes: 0 success/);
    expect(lakeload('--help').stdout).toMatch(/\n {2}dashboard +Serve a live dashboard/);
    const badPort = lakeload('dashboard', '--port', '70000');
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be between 0 and 65535/);
    expect(lakeload('dashboard', '--frobnicate').code).toBe(2);
  });

  it('serves the API read-only, and Ctrl-C closes the server and the warehouse (exit 0)', async () => {
    const file = join(dir, 'warehouse.duckdb');
    const child = spawn(
      process.execPath,
      [bin, 'dashboard', '--warehouse', `duckdb:${file}`, '--port', '0'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await served(child);
    const overview = await fetch(new URL('/api/overview', url));
    expect(overview.status).toBe(200);
    expect(await overview.json()).toMatchObject({ hasLedger: false, deadLetters: 0 });
    const page = await fetch(url);
    expect(await page.text()).toContain('<title>lakeload dashboard</title>');
    const replay = await fetch(new URL('/api/replay', url), { method: 'POST', body: '{}' });
    expect(replay.status).toBe(403);
    expect(((await replay.json()) as { error: string }).error).toMatch(/--allow-actions/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // The warehouse was closed: this process can open the DuckDB file (one process owns it).
    const again = await openWarehouse(`duckdb:${file}`);
    await again.close();
    await expect(fetch(new URL('/api/overview', url))).rejects.toThrow();
  });
});
