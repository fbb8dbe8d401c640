// The JSON API against real warehouses (DuckDB in process, PostgreSQL on 127.0.0.1:5432) after a
// real demo load with two failing files: every number the API returns is checked against the
// warehouse's own counts, and the replay endpoint against the ledger afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEAD_LETTER_TABLE, type Driver, LEDGER_TABLE, openWarehouse } from '@lakeload/loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ActivityPoint,
  DeadLetterRow,
  FailureGroup,
  Freshness,
  LatencyPoint,
  Overview,
} from '../src/api.js';
import { type Dashboard, startDashboard } from '../src/server.js';
import { buildDemoLake, type DemoLake, fixNullKeyFile, loadLake } from './demo-data.js';
import { call, pageToken } from './http.js';
import { BACKENDS, type Backend } from './warehouses.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-dashboard-api-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The interpolated percentile, as percentile_cont computes it. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] ?? 0) + ((sorted[high] ?? 0) - (sorted[low] ?? 0)) * (rank - low);
}

describe.each(BACKENDS)('dashboard API on $name', (backend: Backend) => {
  let demo: DemoLake;
  let warehouse: { url: string; drop(): Promise<void> };
  let driver: Driver;
  let readOnly: Dashboard;
  let actions: Dashboard;
  const q = (sql: string) => driver.query(sql);
  const get = async <T>(dashboard: Dashboard, path: string): Promise<T> => {
    const reply = await call(new URL(path, dashboard.url).href);
    expect(reply.status, reply.text).toBe(200);
    return reply.json as T;
  };

  beforeAll(async () => {
    demo = await buildDemoLake(join(dir, backend.name));
    warehouse = await backend.create('lakeload_dashboard_api', join(dir, backend.name));
    driver = await openWarehouse(warehouse.url);
    const results = await loadLake(driver, demo.lake);
    expect(
      results
        .filter((result) => result.status === 'failed')
        .map((result) => result.uri)
        .sort(),
    ).toEqual([`file://${demo.notParquetFile}`, `file://${demo.nullKeyFile}`].sort());
    readOnly = await startDashboard({ driver, warehouseLabel: backend.name, port: 0 });
    actions = await startDashboard({ driver, warehouseLabel: backend.name, port: 0, allowActions: true });
  });
  afterAll(async () => {
    await readOnly?.close();
    await actions?.close();
    await driver?.close();
    await warehouse?.drop();
  });

  it('overview: files and rows per status equal the ledger; dead letters equal the queue', async () => {
    const overview = await get<Overview>(readOnly, '/api/overview?minutes=60');
    const ledger = await q(
      `SELECT status, count(*) AS files, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM ${LEDGER_TABLE} GROUP BY status`,
    );
    const of = (status: string) => ledger.find((row) => row.status === status) ?? {};
    const [pending] = await q(`SELECT count(*) AS n FROM ${DEAD_LETTER_TABLE} WHERE replayed_at IS NULL`);
    expect(overview.hasLedger).toBe(true);
    expect(overview.total.loaded).toBe(Number(of('loaded').files));
    expect(overview.total.failed).toBe(2);
    expect(overview.total.failed).toBe(Number(of('failed').files));
    expect(overview.total.inserted).toBe(Number(of('loaded').inserted));
    expect(overview.total.updated).toBe(Number(of('loaded').updated));
    // Everything was loaded moments ago, so the window holds all of it.
    expect(overview.recent).toEqual({ ...overview.total, replayed: 0 });
    expect(overview.deadLetters).toBe(Number(pending?.n));
    expect(overview.deadLetters).toBe(2);
    expect(overview.total.loaded).toBeGreaterThan(3);
    expect(overview.total.updated).toBeGreaterThan(0);
  });

  it('freshness: per table, files from the ledger and rows from the table itself', async () => {
    const { tables, now } = await get<{ now: number; tables: Freshness[] }>(readOnly, '/api/freshness');
    const perTable = await q(
      `SELECT target_table, count(*) AS files FROM ${LEDGER_TABLE} WHERE status = 'loaded' GROUP BY target_table ORDER BY target_table`,
    );
    const loaded = tables.filter((table) => table.loaded > 0);
    expect(loaded.map((table) => [table.table, table.loaded])).toEqual(
      perTable.map((row) => [String(row.target_table), Number(row.files)]),
    );
    for (const table of loaded) {
      const [count] = await q(`SELECT count(*) AS n FROM ${driver.compiler.quoteIdentifier(table.table)}`);
      expect(table.rows, table.table).toBe(Number(count?.n));
      expect(table.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(table.ageSeconds).toBeLessThan(600);
      expect(table.lastLoaded).toBeLessThanOrEqual(now);
    }
    expect(tables.find((table) => table.table === 'order_summary')?.failed).toBe(1);
  });

  it('activity: files and rows per bucket add up to the ledger, and the table filter filters', async () => {
    const all = await get<{ bucket: string; points: ActivityPoint[] }>(readOnly, '/api/activity?range=24h');
    expect(all.bucket).toBe('hour');
    const [ledger] = await q(
      `SELECT count(*) AS files, sum(rows_inserted) AS inserted FROM ${LEDGER_TABLE} WHERE status = 'loaded'`,
    );
    expect(all.points.reduce((sum, point) => sum + point.loaded, 0)).toBe(Number(ledger?.files));
    expect(all.points.reduce((sum, point) => sum + point.inserted, 0)).toBe(Number(ledger?.inserted));
    expect(all.points.reduce((sum, point) => sum + point.failed, 0)).toBe(2);
    const items = await get<{ points: ActivityPoint[] }>(
      readOnly,
      '/api/activity?range=1h&table=order_items',
    );
    expect(items.points.length).toBeGreaterThan(0);
    expect(new Set(items.points.map((point) => point.table))).toEqual(new Set(['order_items']));
    const [itemFiles] = await q(
      `SELECT count(*) AS files FROM ${LEDGER_TABLE} WHERE status = 'loaded' AND target_table = 'order_items'`,
    );
    expect(items.points.reduce((sum, point) => sum + point.loaded, 0)).toBe(Number(itemFiles?.files));
  });

  it('latency: p50 and p95 per bucket equal the percentiles of the ledger durations', async () => {
    const { points } = await get<{ bucket: string; points: LatencyPoint[] }>(
      readOnly,
      '/api/latency?range=1h',
    );
    const rows = await q(
      `SELECT floor(extract(epoch FROM recorded_at) / 60) * 60 AS bucket, duration_ms FROM ${LEDGER_TABLE} WHERE status = 'loaded'`,
    );
    const byBucket = new Map<number, number[]>();
    for (const row of rows) {
      const bucket = Number(row.bucket);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), Number(row.duration_ms)]);
    }
    expect(points.map((point) => point.at).sort()).toEqual([...byBucket.keys()].sort());
    for (const point of points) {
      const durations = byBucket.get(point.at) ?? [];
      expect(point.files).toBe(durations.length);
      expect(point.p50).toBeCloseTo(percentile(durations, 0.5), 6);
      expect(point.p95).toBeCloseTo(percentile(durations, 0.95), 6);
      expect(point.max).toBe(Math.max(...durations));
    }
  });

  it('failures grouped by reason, with the latest examples and their tips', async () => {
    const { groups } = await get<{ groups: FailureGroup[] }>(readOnly, '/api/failures');
    const tips = await q(`SELECT tip, count(*) AS n FROM ${DEAD_LETTER_TABLE} GROUP BY tip`);
    expect(groups.map((group) => [group.tip, group.failures]).sort()).toEqual(
      tips.map((row) => [String(row.tip), Number(row.n)]).sort(),
    );
    const notParquet = groups.find((group) =>
      group.examples.some((e) => e.uri.endsWith('zz-not-parquet.parquet')),
    );
    expect(notParquet?.tip).toMatch(/not readable Parquet/);
    expect(notParquet?.examples[0]?.error).toMatch(/zz-not-parquet\.parquet/);
    expect(notParquet?.examples[0]?.pending).toBe(true);
  });

  it('the dead-letter queue lists what waits, and refuses bad parameters, unknown paths, other hosts', async () => {
    const { letters, allowActions } = await get<{ letters: DeadLetterRow[]; allowActions: boolean }>(
      readOnly,
      '/api/dead-letters',
    );
    expect(allowActions).toBe(false);
    const pending = await q(
      `SELECT object_uri FROM ${DEAD_LETTER_TABLE} WHERE replayed_at IS NULL ORDER BY object_uri`,
    );
    expect(letters.map((letter) => letter.uri).sort()).toEqual(pending.map((row) => String(row.object_uri)));
    expect((await call(new URL('/api/activity?range=2y', readOnly.url).href)).json.error).toMatch(
      /range must be/,
    );
    expect((await call(new URL('/api/overview?minutes=abc', readOnly.url).href)).status).toBe(400);
    expect((await call(new URL('/api/nope', readOnly.url).href)).status).toBe(404);
    // A hostile table filter is one quoted literal: it matches no table, and breaks nothing.
    const hostile = await call(
      new URL(`/api/activity?range=24h&table=${encodeURIComponent("x' OR '1'='1")}`, readOnly.url).href,
    );
    expect(hostile.status).toBe(200);
    expect(hostile.json.points).toEqual([]);
    const rebound = await call(new URL('/api/overview', readOnly.url).href, {
      headers: { Host: 'evil.example:80' },
    });
    expect(rebound.status).toBe(421);
  });

  it('replay: 403 while read-only; needs the page origin and token; then the file loads and the letter is gone', async () => {
    const letter = { uri: `file://${demo.nullKeyFile}`, identity: '' };
    const [row] = await q(
      `SELECT object_identity FROM ${DEAD_LETTER_TABLE} WHERE object_uri = ${driver.compiler.quoteLiteral(letter.uri)}`,
    );
    letter.identity = String(row?.object_identity);

    const refused = await call(new URL('/api/replay', readOnly.url).href, { method: 'POST', body: letter });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatch(/--allow-actions/);

    const origin = new URL(actions.url).origin;
    const replayUrl = new URL('/api/replay', actions.url).href;
    const token = await pageToken(actions.url);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const json = { 'Content-Type': 'application/json' };
    const noToken = await call(replayUrl, {
      method: 'POST',
      headers: { ...json, Origin: origin },
      body: letter,
    });
    expect(noToken.status).toBe(403);
    expect(noToken.json.error).toMatch(/X-Lakeload-Token/);
    const otherSite = await call(replayUrl, {
      method: 'POST',
      headers: { ...json, Origin: 'http://evil.example', 'X-Lakeload-Token': token },
      body: letter,
    });
    expect(otherSite.status).toBe(403);
    const headers = { ...json, Origin: origin, 'X-Lakeload-Token': token };

    // Still broken: the replay fails again and says why; the letter keeps waiting.
    const broken = await call(replayUrl, { method: 'POST', headers, body: letter });
    expect(broken.status).toBe(200);
    expect(broken.json.status).toBe('failed');

    const [before] = await q('SELECT count(*) AS n FROM order_summary');
    await fixNullKeyFile(demo);
    const fixed = await call(replayUrl, { method: 'POST', headers, body: letter });
    expect(fixed.json).toMatchObject({ status: 'loaded', table: 'order_summary', uri: letter.uri });
    const [after] = await q('SELECT count(*) AS n FROM order_summary');
    expect(Number(after?.n)).toBe(Number(before?.n) + 3);
    const loaded = await q(
      `SELECT count(*) AS n FROM ${LEDGER_TABLE} WHERE status = 'loaded' AND object_uri = ${driver.compiler.quoteLiteral(letter.uri)}`,
    );
    expect(Number(loaded[0]?.n)).toBe(1);
    const { letters } = await get<{ letters: DeadLetterRow[] }>(actions, '/api/dead-letters');
    expect(letters.map((l) => l.uri)).not.toContain(letter.uri);
    const overview = await get<Overview>(actions, '/api/overview?minutes=60');
    expect(overview.recent.replayed).toBeGreaterThanOrEqual(1);

    // Closing while a replay runs: the replay finishes (its answer arrives, its failure is recorded)
    // before close() resolves, so the caller can close the warehouse right after.
    const broke = `file://${demo.notParquetFile}`;
    const [brokeRow] = await q(
      `SELECT object_identity FROM ${DEAD_LETTER_TABLE} WHERE object_uri = ${driver.compiler.quoteLiteral(broke)}`,
    );
    const failedRows = async () =>
      Number(
        (
          await q(
            `SELECT count(*) AS n FROM ${LEDGER_TABLE} WHERE status = 'failed' AND object_uri = ${driver.compiler.quoteLiteral(broke)}`,
          )
        )[0]?.n,
      );
    const failedBefore = await failedRows();
    const closing = await startDashboard({
      driver,
      warehouseLabel: backend.name,
      port: 0,
      allowActions: true,
    });
    const closingToken = await pageToken(closing.url);
    let closed: Promise<void> | undefined;
    closing.server.once('request', () => {
      closed = closing.close();
    });
    const inFlight = await call(new URL('/api/replay', closing.url).href, {
      method: 'POST',
      headers: { ...json, Origin: new URL(closing.url).origin, 'X-Lakeload-Token': closingToken },
      body: { uri: broke, identity: String(brokeRow?.object_identity) },
    });
    await closed;
    expect(inFlight.status).toBe(200);
    expect(inFlight.json.status).toBe('failed');
    expect(await failedRows()).toBe(failedBefore + 1);

    // The same letter again: nothing waits any more.
    const again = await call(replayUrl, { method: 'POST', headers, body: letter });
    expect(again.status).toBe(404);
  });
});

describe('an empty warehouse', () => {
  it('reports no ledger and creates nothing: the dashboard only reads', async () => {
    const driver = await openWarehouse(`duckdb:${join(dir, 'empty.duckdb')}`);
    const dashboard = await startDashboard({ driver, warehouseLabel: 'empty', port: 0 });
    try {
      const overview = (await call(new URL('/api/overview', dashboard.url).href)).json as unknown as Overview;
      expect(overview.hasLedger).toBe(false);
      expect(overview.total).toEqual({ loaded: 0, failed: 0, inserted: 0, updated: 0 });
      expect((await call(new URL('/api/freshness', dashboard.url).href)).json.tables).toEqual([]);
      expect((await call(new URL('/api/dead-letters', dashboard.url).href)).json.letters).toEqual([]);
      expect(await driver.tableColumns(LEDGER_TABLE)).toBeUndefined();
      expect(await driver.tableColumns(DEAD_LETTER_TABLE)).toBeUndefined();

      // The page: gzipped when asked, under a strict content security policy, within its budget.
      let weight = 0;
      for (const path of ['/', '/assets/app.js', '/assets/app.css']) {
        const reply = await call(new URL(path, dashboard.url).href, {
          headers: { 'Accept-Encoding': 'gzip' },
        });
        expect(reply.status, path).toBe(200);
        expect(reply.headers['content-encoding']).toBe('gzip');
        expect(reply.headers['content-security-policy']).toMatch(/script-src 'self';/);
        weight += Number(reply.headers['content-length']);
      }
      expect(weight).toBeLessThan(100 * 1024);
      // A port in use is a clear error naming the flag to change.
      const port = Number(new URL(dashboard.url).port);
      await expect(startDashboard({ driver, warehouseLabel: 'empty', port })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is in use: pick another with --port`,
      );
      const plain = await call(new URL('/assets/app.css', dashboard.url).href);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.text).toContain('.cards');
    } finally {
      await dashboard.close();
      await driver.close();
    }
  });
});
