import {
  type BackfillSummary,
  backfill,
  type Driver,
  type Listing,
  Loader,
  LoaderError,
  localListing,
  openWarehouse,
  redactUrl,
} from '@lakeload/loader';
import { type CommandSpec, numberOption, type Parsed, parse, stringOption } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out, stderrLogger } from '../output.js';
import { ProgressBar } from '../progress.js';
import { isS3Uri } from '../sources.js';
import {
  BATCH_FILES_OPTION,
  CONFIG_OPTION,
  configFrom,
  NOTIFY_OPTION,
  notifiersFor,
  WAREHOUSE_OPTION,
  warehouseUrl,
} from './load.js';

/**
 * The source a backfill or reconcile compares with the ledger: a local folder, or an S3 prefix (the
 * AWS SDK is loaded only then). A malformed URI or a missing folder is a usage error.
 */
export async function listingFor(source: string): Promise<Listing> {
  try {
    if (!isS3Uri(source)) return await localListing(source);
    const s3 = await import('@lakeload/loader/s3');
    s3.parseS3Uri(source); // before a client exists
    return s3.s3Listing(s3.createS3Client(), source);
  } catch (error) {
    // Only parsing happens here (nothing is listed yet): a bad source is a usage error.
    if (error instanceof LoaderError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--since YYYY-MM-DD` (midnight UTC) or an ISO-8601 time with its zone. */
function sinceOption(values: Parsed['values']): Date | undefined {
  const raw = stringOption(values, 'since');
  if (raw === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const date = new Date(day ? `${raw}T00:00:00Z` : raw);
  if ((!day && !time) || Number.isNaN(date.getTime()) || (day && date.toISOString().slice(0, 10) !== raw))
    throw new UsageError(
      `--since expects a date (2025-11-13) or a time with its zone (2025-11-13T08:00:00Z), got "${raw}"`,
    );
  return date;
}

export const backfillSpec: CommandSpec = {
  name: 'backfill',
  summary:
    'Load what events missed: list a folder or an S3 prefix (page by page), compare it with the ledger, and load every object not loaded as it is now (new, re-uploaded with a new ETag or version, or failed before).',
  usage:
    'lakeload backfill <folder|s3://bucket/prefix> [--since DATE] [--concurrency N] [--dry-run] [options]',
  positionals: true,
  options: {
    warehouse: WAREHOUSE_OPTION,
    config: CONFIG_OPTION,
    since: {
      type: 'string',
      valueName: 'DATE',
      description:
        'Only objects modified at or after this date (YYYY-MM-DD, UTC) or time (ISO-8601 with zone).',
    },
    concurrency: {
      type: 'string',
      valueName: 'N',
      description:
        "Tables loading at once (default 1); one table's files always load in order, oldest first.",
    },
    'dry-run': {
      type: 'boolean',
      description: 'List and compare only: say what would load, change nothing.',
    },
    notify: NOTIFY_OPTION,
    'batch-files': BATCH_FILES_OPTION,
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: [
    'lakeload backfill s3://my-lake/landing/ --since 2025-11-01 --dry-run',
    'lakeload backfill lake/ --warehouse postgres://loader@127.0.0.1:5432/analytics --concurrency 3 --json',
  ],
};

function describeBackfill(summary: BackfillSummary, warehouse: string): string {
  const reasons = { new: 0, changed: 0, failed: 0 };
  for (const item of summary.toLoad) reasons[item.reason] += 1;
  const lines = [
    `listed ${summary.listed} objects under ${summary.uriPrefix}: ${summary.alreadyLoaded} already loaded, ${summary.toLoad.length} to load (${reasons.new} new, ${reasons.changed} changed, ${reasons.failed} failed before), ${summary.skipped} skipped${summary.beforeSince > 0 ? `, ${summary.beforeSince} not loaded but older than --since` : ''}`,
  ];
  if (summary.dryRun) {
    lines.push(...summary.toLoad.map((item) => `would load (${item.reason})  ${item.uri}`));
    lines.push(`dry run: nothing loaded → ${redactUrl(warehouse)}`);
    return lines.join('\n');
  }
  for (const result of summary.results) {
    if (result.status === 'failed')
      lines.push(`FAILED     ${result.uri}\n           ${result.error}\n           tip: ${result.tip}`);
  }
  lines.push(
    `${summary.loaded} loaded (${summary.inserted} rows inserted, ${summary.updated} updated), ${summary.duplicate} loaded meanwhile, ${summary.failed} failed → ${redactUrl(warehouse)}`,
  );
  return lines.join('\n');
}

export async function runBackfill(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(backfillSpec, argv);
  const [source] = positionals;
  if (!source || positionals.length > 1)
    throw new UsageError('name exactly one folder or s3://bucket/prefix to backfill');
  const since = sinceOption(values);
  const concurrency = numberOption(values, 'concurrency', 1, { min: 1, max: 32 });
  const batchFiles =
    values['batch-files'] === undefined ? undefined : numberOption(values, 'batch-files', 1, { min: 1 });
  const json = values.json === true;
  const dryRun = values['dry-run'] === true;
  const notify = values.notify;
  const notifiers = notifiersFor(Array.isArray(notify) ? notify : []);
  const config = await configFrom(values);
  const listing = await listingFor(source);
  const warehouse = warehouseUrl(values);
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true });
  const driver = await openWarehouse(warehouse);
  // Workers beyond the first get drivers of their own where writers in other connections queue on
  // the table's lock; an in-process warehouse (DuckDB) takes concurrent loads through one driver.
  const extra: Driver[] = [];
  try {
    if (!dryRun && driver.capabilities.writerLock === 'table-lock') {
      for (let worker = 1; worker < concurrency; worker++) extra.push(await openWarehouse(warehouse));
    }
    const loaders = [driver, ...extra].map(
      (each) =>
        new Loader({
          driver: each,
          logger: stderrLogger,
          notifiers,
          tables: config.tables,
          rules: config.rules,
          ...(batchFiles === undefined ? {} : { maxBatchFiles: batchFiles }),
        }),
    );
    let total = 0;
    let done = 0;
    const summary = await backfill(loaders, driver, listing, {
      rules: config.rules,
      dryRun,
      concurrency,
      signal,
      ...(since ? { since } : {}),
      onListed: (count) => progress.status(`listing: ${count} objects`),
      onPlanned: (count) => {
        total = count;
      },
      onResult: () => progress.update('backfilling', ++done, total),
      sliceFiles: Math.max(100, batchFiles ?? 0),
    }).finally(() => progress.done());
    out(
      json
        ? `${JSON.stringify({ warehouse: redactUrl(warehouse), ...summary })}\n`
        : `${describeBackfill(summary, warehouse)}\n`,
    );
    return summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    for (const each of [driver, ...extra]) await each.close();
    for (const notifier of notifiers) await notifier.close?.();
  }
}
