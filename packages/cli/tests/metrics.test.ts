// Prometheus metrics of `lakeload watch`: the notifier's counting, and a real watch in a child
// process serving /metrics while it loads files, fails one and finds a duplicate; every metric the
// shipped Grafana dashboard queries is in that scrape, with samples.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsNotifier, serveMetrics } from '../src/metrics.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dashboard = fileURLToPath(new URL('../grafana/lakeload-watch.json', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-metrics-'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
  expect(run('generate', '--orders', '200', '--days', '2', '--out', 'in/orders.jsonl').status).toBe(0);
  expect(run('convert', 'in', '--out', 'lake').status).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sample values of a scrape by series (`name{labels}`), skipping comments. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    found.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return found;
}

function total(scrape: Map<string, number>, name: string, labels = ''): number {
  let sum = 0;
  for (const [series, value] of scrape) {
    const bare = series.split('{')[0];
    if (bare === name && series.includes(labels)) sum += value;
  }
  return sum;
}

describe('MetricsNotifier', () => {
  it('counts outcomes, rows, failures by class, duplicates, latency and the queue', async () => {
    const metrics = new MetricsNotifier();
    const at = '2025-11-13T00:00:00Z';
    for (const uri of ['a', 'b', 'c', 'd', 'e']) await metrics.notify({ type: 'received', at, uri });
    const server = await serveMetrics(metrics.registry, 0);
    const scrape = async () => samples(await (await fetch(server.url)).text());
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(total(await scrape(), 'lakeload_queue_depth')).toBe(5);
      await metrics.notify({
        type: 'loaded',
        at,
        uri: 'a',
        table: 't',
        inserted: 7,
        updated: 2,
        unchanged: 0,
        durationMs: 300,
      });
      await metrics.notify({ type: 'duplicate', at, uri: 'b', table: 't' });
      await metrics.notify({
        type: 'failed',
        at,
        uri: 'c',
        table: 't',
        error: 'x',
        tip: 'y',
        retryable: true,
      });
      await metrics.notify({ type: 'failed', at, uri: 'd', error: 'x', tip: 'y', retryable: false });
      const after = await scrape();
      expect(after.get('lakeload_files_loaded_total{table="t"}')).toBe(1);
      expect(after.get('lakeload_rows_inserted_total{table="t"}')).toBe(7);
      expect(after.get('lakeload_rows_updated_total{table="t"}')).toBe(2);
      expect(after.get('lakeload_duplicates_total{table="t"}')).toBe(1);
      expect(after.get('lakeload_load_failures_total{table="t",class="retryable"}')).toBe(1);
      expect(after.get('lakeload_load_failures_total{table="unknown",class="permanent"}')).toBe(1);
      expect(after.get('lakeload_files_total{outcome="failed"}')).toBe(2);
      expect(after.get('lakeload_load_latency_seconds_bucket{le="0.25",table="t"}')).toBe(0);
      expect(after.get('lakeload_load_latency_seconds_bucket{le="0.5",table="t"}')).toBe(1);
      expect(after.get('lakeload_load_latency_seconds_sum{table="t"}')).toBe(0.3);
      expect(total(after, 'lakeload_queue_depth')).toBe(1);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('lakeload watch --metrics-port', () => {
  it('serves every metric the Grafana dashboard queries while it loads, fails and skips duplicates', async () => {
    const landing = join(dir, 'landing');
    const files = (await readdir(join(dir, 'lake'), { recursive: true }))
      .filter((file) => file.endsWith('.parquet') && !file.includes('order_flattened'))
      .slice(0, 3);
    for (const file of files) {
      await mkdir(dirname(join(landing, file)), { recursive: true });
      await copyFile(join(dir, 'lake', file), join(landing, file));
    }
    const broken = join(landing, dirname(files[0] as string), 'broken.parquet');
    await writeFile(broken, 'not parquet at all');
    const child: ChildProcess = spawn(
      process.execPath,
      [
        bin,
        'watch',
        'landing',
        '--warehouse',
        'duckdb:metrics.duckdb',
        '--interval',
        '100',
        '--json',
        '--metrics-port',
        '0',
      ],
      { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out; stdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const count = (status: string) =>
      stdout.split('\n').filter((line) => line.includes(`"status":"${status}"`)).length;
    try {
      await until(() => /metrics at (\S+)/.test(stderr));
      const url = /metrics at (\S+)/.exec(stderr)?.[1] as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await until(() => count('loaded') === 3 && count('failed') === 1);
      // Same bytes, new modification time: the watcher loads it again and the ledger calls it a duplicate.
      const later = new Date(Date.now() + 5000);
      await utimes(join(landing, files[1] as string), later, later);
      await until(() => count('duplicate') === 1);
      const scrape = samples(await (await fetch(url)).text());

      expect(total(scrape, 'lakeload_files_loaded_total')).toBe(3);
      expect(total(scrape, 'lakeload_load_failures_total', 'class="permanent"')).toBe(1);
      expect(total(scrape, 'lakeload_duplicates_total')).toBe(1);
      expect(total(scrape, 'lakeload_queue_depth')).toBe(0);
      expect(total(scrape, 'lakeload_load_latency_seconds_count')).toBe(3);
      const inserted = stdout
        .split('\n')
        .filter((line) => line.includes('"status":"loaded"'))
        .reduce((sum, line) => sum + (JSON.parse(line) as { inserted: number }).inserted, 0);
      expect(total(scrape, 'lakeload_rows_inserted_total')).toBe(inserted);

      const json = await readFile(dashboard, 'utf8');
      const queried = new Set([...json.matchAll(/\b(?:lakeload|process)_[a-z_]+/g)].map(([name]) => name));
      expect(queried.size).toBeGreaterThanOrEqual(10);
      const present = new Set([...scrape.keys()].map((series) => series.split('{')[0]));
      for (const name of queried) expect(present, `${name} is queried by the dashboard`).toContain(name);
    } finally {
      process.kill(-(child.pid ?? 0), 'SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(child.exitCode).toBe(0);
  });
});
