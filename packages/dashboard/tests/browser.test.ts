// End to end in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): the demo
// data loaded into DuckDB, the page opened, the numbers shown compared with the warehouse's, then
// clicked through — table filter, failure details, keyboard to the replay button, a confirmed
// replay — on a laptop and a phone viewport. Screenshots go to test-output/.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEAD_LETTER_TABLE, type Driver, LEDGER_TABLE, openWarehouse } from '@lakeload/loader';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../src/server.js';
import { buildDemoLake, type DemoLake, fixNullKeyFile, loadLake } from './demo-data.js';

// Another Chromium build (e.g. a CI image's Google Chrome) through LAKELOAD_CHROMIUM.
const CHROMIUM = process.env.LAKELOAD_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

let dir: string;
let demo: DemoLake;
let driver: Driver;
let dashboard: Dashboard;
let readOnly: Dashboard;
let browser: BrowserContext;
const problems: string[] = [];

async function openPage(url: string, viewport = { width: 1366, height: 900 }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('updated')?.textContent?.startsWith('Updated at'));
  return page;
}

const number = (text: string | null) => Number((text ?? '').replaceAll(',', '').trim());

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM} (apt-get install chromium, or set LAKELOAD_CHROMIUM to another Chromium); it is missing`,
    );
  await mkdir(OUTPUT, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'lakeload-dashboard-e2e-'));
  demo = await buildDemoLake(dir);
  driver = await openWarehouse(`duckdb:${join(dir, 'warehouse.duckdb')}`);
  await loadLake(driver, demo.lake);
  dashboard = await startDashboard({
    driver,
    warehouseLabel: 'duckdb:demo.duckdb',
    port: 0,
    allowActions: true,
    refreshSeconds: 2,
  });
  readOnly = await startDashboard({ driver, warehouseLabel: 'duckdb:demo.duckdb', port: 0 });
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await readOnly?.close();
  await driver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the dashboard page in Chromium', () => {
  it('shows the numbers the warehouse holds', async () => {
    const page = await openPage(dashboard.url);
    const [loaded] = await driver.query(
      `SELECT count(*) AS files, sum(rows_inserted) AS inserted, sum(rows_updated) AS updated FROM ${LEDGER_TABLE} WHERE status = 'loaded'`,
    );
    const [failed] = await driver.query(
      `SELECT count(*) AS files FROM ${LEDGER_TABLE} WHERE status = 'failed'`,
    );
    const [waiting] = await driver.query(
      `SELECT count(*) AS n FROM ${DEAD_LETTER_TABLE} WHERE replayed_at IS NULL`,
    );
    const shown = async (id: string) => number(await page.getByTestId(id).textContent());
    expect(await shown('recent-loaded')).toBe(Number(loaded?.files));
    expect(await shown('recent-failed')).toBe(Number(failed?.files));
    expect(await shown('recent-inserted')).toBe(Number(loaded?.inserted));
    expect(await shown('recent-updated')).toBe(Number(loaded?.updated));
    expect(await shown('dead-letters')).toBe(Number(waiting?.n));
    expect(await shown('dead-letters')).toBe(2);
    // Freshness: each table's "rows now" cell is the table's own count.
    for (const table of ['order_summary', 'order_items', 'order_flattened']) {
      const [count] = await driver.query(
        `SELECT count(*) AS n FROM ${driver.compiler.quoteIdentifier(table)}`,
      );
      const cells = page.locator(`#freshness tr[data-table="${table}"] td`);
      expect(number(await cells.last().textContent()), table).toBe(Number(count?.n));
      expect(await cells.first().textContent()).toMatch(/ s ago|min ago/);
    }
    // Each chart has a text alternative naming the totals, and a data table beside it.
    expect(await page.locator('#files-chart').getAttribute('aria-label')).toContain(
      `${Number(loaded?.files)} files loaded`,
    );
    expect(await page.locator('#latency-table tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-laptop.png'), fullPage: true });
    // It refreshes itself: the "updated at" stamp moves on without a click.
    const stamp = await page.locator('#updated').getAttribute('data-updated-at');
    await page.waitForFunction(
      (before) => document.getElementById('updated')?.dataset.updatedAt !== before,
      stamp,
      { timeout: 15_000 },
    );
    await page.getByRole('button', { name: 'Pause updates' }).click();
    expect(await page.locator('#pause').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#updated').textContent()).toMatch(/paused$/);
    await page.close();
  });

  it('stops polling while the tab is hidden and catches up when it is visible again', async () => {
    const page = await openPage(dashboard.url);
    const requests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/')) requests.push(request.url());
    });
    // What the browser does when the tab goes to the background.
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await page.waitForLoadState('networkidle');
    requests.length = 0;
    // Three refresh periods (2 s each) pass without a single request.
    await page.waitForTimeout(6_000);
    expect(requests).toEqual([]);
    const overview = page.waitForRequest((request) => request.url().includes('/api/overview'));
    await setVisibility('visible');
    await overview;
    await page.close();
  });

  it('filters by table and opens failure details', async () => {
    const page = await openPage(dashboard.url);
    await page.locator('details', { hasText: 'Files per table as a table' }).locator('summary').click();
    await page.locator('#table-filter').selectOption('order_items');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#files-table tbody tr td:first-of-type')].every(
        (cell) => cell.textContent === 'order_items',
      ),
    );
    const [items] = await driver.query(
      `SELECT count(*) AS files FROM ${LEDGER_TABLE} WHERE status = 'loaded' AND target_table = 'order_items'`,
    );
    const loadedCells = await page.locator('#files-table tbody tr td:nth-of-type(2)').allTextContents();
    expect(loadedCells.reduce((sum, cell) => sum + number(cell), 0)).toBe(Number(items?.files));

    const group = page.locator('#failures details', { hasText: 'not readable Parquet' });
    await group.locator('summary').click();
    // Waits bounded by the test's own timeout: expect.poll gives up after 1 s, which a loaded
    // machine can spend on one render.
    await group.locator('pre').first().waitFor({ state: 'visible', timeout: 0 });
    expect(await group.locator('pre').first().textContent()).toContain('zz-not-parquet.parquet');
    expect(await page.locator('#failures details').count()).toBe(2);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-failure-details.png'), fullPage: true });
    await page.close();
  });

  it('reaches the replay button by keyboard, confirms, replays, and the letter is gone', async () => {
    const page = await openPage(dashboard.url);
    const target = `Replay file://${demo.nullKeyFile}`;
    // The first stop is the skip link; the order then follows the page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the dashboard');
    let reached = '';
    for (let presses = 0; presses < 150 && reached !== target; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    }
    expect(reached).toBe(target);
    // The focused element is a real button with a visible focus ring.
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      return { tag: element.tagName, outline: getComputedStyle(element).outlineStyle };
    });
    expect(focused).toEqual({ tag: 'BUTTON', outline: 'solid' });
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog#confirm');
    await dialog.waitFor({ state: 'visible', timeout: 0 });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('confirm-ok');
    await page.screenshot({ path: join(OUTPUT, 'dashboard-confirm-replay.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 0 });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(target);
    // Nothing was replayed by cancelling.
    expect(number(await page.getByTestId('dead-letters').textContent())).toBe(2);

    await fixNullKeyFile(demo);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await expect
      .poll(() => page.locator('#replay-status').textContent(), { timeout: 20_000 })
      .toContain('loaded');
    // After a replay the page refreshes, then moves focus to the dead letters' title: the count
    // read after that is the refreshed one (a 1 s poll could end before a slow refresh did).
    await page.waitForFunction(() => document.activeElement?.id === 'dlq-title', undefined, { timeout: 0 });
    expect(number(await page.getByTestId('dead-letters').textContent())).toBe(1);
    expect(await page.locator('#dead-letters').textContent()).not.toContain('zz-null-key.parquet');
    const [ledger] = await driver.query(
      `SELECT count(*) AS n FROM ${LEDGER_TABLE} WHERE status = 'loaded' AND object_uri = ${driver.compiler.quoteLiteral(`file://${demo.nullKeyFile}`)}`,
    );
    expect(Number(ledger?.n)).toBe(1);
    await page.close();
  });

  it('read-only: the replay buttons are disabled and the page says how to enable them', async () => {
    const page = await openPage(readOnly.url);
    expect(await page.locator('#actions-note').textContent()).toContain('--allow-actions');
    const buttons = page.locator('#dead-letters button.replay');
    expect(await buttons.count()).toBeGreaterThan(0);
    for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
    await page.close();
  });

  it('fits a phone: no horizontal scroll', async () => {
    const page = await openPage(dashboard.url, { width: 390, height: 844 });
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-phone.png'), fullPage: true });
    await page.close();
  });

  it('follows a dark colour scheme', async () => {
    const page = await browser.newPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(dashboard.url);
    await page.waitForFunction(() =>
      document.getElementById('updated')?.textContent?.startsWith('Updated at'),
    );
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(15, 17, 21)');
    await page.screenshot({ path: join(OUTPUT, 'dashboard-dark.png'), fullPage: true });
    await page.close();
  });

  it('an empty warehouse says what to run', async () => {
    const empty = await openWarehouse(`duckdb:${join(dir, 'empty.duckdb')}`);
    const server = await startDashboard({ driver: empty, warehouseLabel: 'duckdb:empty.duckdb', port: 0 });
    try {
      const page = await openPage(server.url);
      expect(await page.locator('#empty').textContent()).toContain('No loads yet: run `lakeload load');
      expect(await page.locator('#dead-letters').textContent()).toContain('The queue is empty');
      expect(await page.locator('#files-chart-note').textContent()).toContain('No loads in this range');
      await page.screenshot({ path: join(OUTPUT, 'dashboard-empty.png'), fullPage: true });
      await page.close();
    } finally {
      await server.close();
      await empty.close();
    }
  });

  it('logged no console errors (a CSP violation would be one)', () => {
    expect(problems).toEqual([]);
  });
});
