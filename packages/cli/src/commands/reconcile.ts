import { hasDrift, openWarehouse, type ReconcileReport, reconcile, redactUrl } from '@lakeload/loader';
import { type CommandSpec, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out } from '../output.js';
import { ProgressBar } from '../progress.js';
import { listingFor } from './backfill.js';
import { CONFIG_OPTION, configFrom, WAREHOUSE_OPTION, warehouseUrl } from './load.js';

/** Exit code when the source and the ledger disagree: the command worked and found drift. */
const DRIFT_EXIT = EXIT.rejects;

export const reconcileSpec: CommandSpec = {
  name: 'reconcile',
  exit3: 'drift found',
  summary: `Compare a folder or an S3 prefix with the ledger, changing nothing: objects present but not loaded (new or changed), loaded objects no longer present, and objects whose load failed (with the error). Exit ${DRIFT_EXIT} when there is any drift, 0 when clean; "lakeload backfill" loads what is missing.`,
  usage: 'lakeload reconcile <folder|s3://bucket/prefix> [--warehouse URL] [--json]',
  positionals: true,
  options: {
    warehouse: WAREHOUSE_OPTION,
    config: CONFIG_OPTION,
    json: { type: 'boolean', description: 'Print the report as JSON instead of tables.' },
  },
  examples: [
    'lakeload reconcile s3://my-lake/landing/',
    'lakeload reconcile lake/ --warehouse duckdb:out/demo/warehouse.duckdb --json',
  ],
};

/** Rows as aligned columns, two spaces apart; "(none)" when there are none. */
export function formatTable(rows: readonly Record<string, unknown>[], indent = '  '): string {
  if (rows.length === 0) return `${indent}(none)`;
  const columns = Object.keys(rows[0] ?? {});
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells
    .map(
      (line) =>
        `${indent}${line
          .map((cell, index) => cell.padEnd(widths[index] ?? 0))
          .join('  ')
          .trimEnd()}`,
    )
    .join('\n');
}

function describeReconcile(report: ReconcileReport, warehouse: string): string {
  return [
    `${report.uriPrefix} against ${redactUrl(warehouse)}: ${report.listed} listed, ${report.loaded} loaded, ${report.skipped.length} not data (skipped)`,
    '',
    `Present but not loaded: ${report.notLoaded.length}`,
    formatTable(report.notLoaded.map((item) => ({ reason: item.reason, object: item.uri }))),
    '',
    `Loaded but no longer present: ${report.gone.length}`,
    formatTable(report.gone.map((item) => ({ object: item.uri, identities: item.identities.join(' ') }))),
    '',
    `Failed: ${report.failed.length}`,
    formatTable(report.failed.map((item) => ({ object: item.uri, error: item.error.split('\n')[0] }))),
    '',
    hasDrift(report)
      ? `Drift found (exit ${DRIFT_EXIT}): "lakeload backfill ${report.uriPrefix}" loads what is not loaded; failed objects need their cause fixed (see lakeload status).`
      : 'Clean: every object present is loaded.',
  ].join('\n');
}

export async function runReconcile(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(reconcileSpec, argv);
  const [source] = positionals;
  if (!source || positionals.length > 1)
    throw new UsageError('name exactly one folder or s3://bucket/prefix to reconcile');
  const json = values.json === true;
  const config = await configFrom(values);
  const listing = await listingFor(source);
  const warehouse = warehouseUrl(values);
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true });
  const driver = await openWarehouse(warehouse);
  try {
    const report = await reconcile(driver, listing, {
      rules: config.rules,
      signal,
      onListed: (count) => progress.status(`listing: ${count} objects`),
    }).finally(() => progress.done());
    const { beforeSince: _unused, ...shown } = report;
    const output = {
      warehouse: redactUrl(warehouse),
      drift: hasDrift(report),
      ...shown,
      notLoaded: report.notLoaded.map(({ ref: _ref, ...item }) => item),
      failed: report.failed.map(({ ref: _ref, ...item }) => item),
    };
    out(json ? `${JSON.stringify(output)}\n` : `${describeReconcile(report, warehouse)}\n`);
    return hasDrift(report) ? DRIFT_EXIT : EXIT.ok;
  } finally {
    await driver.close();
  }
}
