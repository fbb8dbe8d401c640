import { join, resolve } from 'node:path';
import { openWarehouse, type ReportName, type ReportOptions, runReport } from '@lakeload/loader';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { ProgressBar } from '../progress.js';
import { sampleLake } from '../sample-lake.js';
import { describeConvert } from './convert.js';
import { describeGenerate } from './generate.js';
import { describeLoad, loadPaths } from './load.js';

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary:
    'Run the local pipeline end to end: generate sample orders as a JSONL and a CSV export (with some bad records), convert both into Parquet datasets, load those into a DuckDB warehouse exactly once, and query it.',
  usage: 'lakeload demo [options]',
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: 'dir',
      description: 'Working folder (default out/demo); incoming/ and lake/ below it.',
    },
    orders: { type: 'string', short: 'n', valueName: 'N', description: 'Orders per export (default 5000).' },
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: ['lakeload demo', 'lakeload demo --out /tmp/lakeload-demo --orders 20000 --json'],
};

export async function runDemo(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(demoSpec, argv);
  const root = resolve(stringOption(values, 'out') ?? join('out', 'demo'));
  const orders = numberOption(values, 'orders', 5000, { min: 1 });
  const json = values.json === true;
  const say = (text: string) => {
    if (!json) out(`${text}\n`);
  };
  const { generated, converted, lake } = await sampleLake(root, orders, {
    signal,
    quiet: json,
    onGenerated: (summary, file) => say(describeGenerate(summary, file)),
  });
  say(`\n${describeConvert(converted)}`);
  const warehouse = `duckdb:${join(root, 'warehouse.duckdb')}`;
  const loadProgress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true });
  const loaded = await loadPaths([lake], warehouse, signal, loadProgress);
  say(`\n${describeLoad({ ...loaded, objects: [] }).trim()}`);
  const analytics = await runAnalytics(warehouse);
  for (const [name, rows] of Object.entries(analytics)) say(`\n${name}\n${table(rows)}`);
  if (json) out(`${JSON.stringify({ generated, converted, loaded, analytics })}\n`);
  return converted.failedInputs > 0 || loaded.failed > 0 ? EXIT.failed : EXIT.ok;
}

// A taste of what the tables answer: the reports of `lakeload report`, one definition for both.
const ANALYTICS: Record<string, { report: ReportName; options?: ReportOptions }> = {
  'daily revenue (orders not cancelled or returned)': { report: 'daily-revenue' },
  'top products by revenue': { report: 'top-products', options: { limit: 5 } },
  'orders by status': { report: 'status-funnel' },
};

async function runAnalytics(warehouse: string): Promise<Record<string, Record<string, unknown>[]>> {
  const driver = await openWarehouse(warehouse);
  try {
    const results: Record<string, Record<string, unknown>[]> = {};
    for (const [name, { report, options }] of Object.entries(ANALYTICS))
      results[name] = (await runReport(driver, report, options)).rows;
    return results;
  } finally {
    await driver.close();
  }
}

function table(rows: readonly Record<string, unknown>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
