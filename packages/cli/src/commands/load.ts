import { existsSync } from 'node:fs';
import {
  ConfigError,
  ConsoleNotifier,
  DEFAULT_WAREHOUSE,
  JsonlFileNotifier,
  Loader,
  type LoaderConfig,
  LoaderError,
  localObjects,
  localStore,
  type Notifier,
  type ObjectRef,
  type ObjectResult,
  type ObjectStore,
  openWarehouse,
  parseWarehouseUrl,
  readLoaderConfig,
  redactUrl,
  registerSecret,
  registerSecretsOf,
  WebhookNotifier,
} from '@lakeload/loader';
import {
  type CommandSpec,
  numberOption,
  type OptionSpec,
  type Parsed,
  parse,
  stringOption,
} from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out, stderrLogger } from '../output.js';
import { ProgressBar } from '../progress.js';
import { isS3Uri, s3Source } from '../sources.js';

/** `--warehouse`, shared by every command that opens the warehouse. */
export const WAREHOUSE_OPTION: OptionSpec = {
  type: 'string',
  short: 'w',
  valueName: 'URL',
  description: `duckdb:<file> or postgres://user@host:port/db (default: $LAKELOAD_WAREHOUSE_URL, else ${DEFAULT_WAREHOUSE}).`,
};

/** `--notify`, shared by the commands that load. */
export const NOTIFY_OPTION: OptionSpec = {
  type: 'string',
  multiple: true,
  valueName: 'sink',
  description:
    'Report each load: console (JSON lines on stderr), jsonl:<file>, or webhook:<url> (Slack-compatible). Repeatable.',
};

/** `--batch-files`, shared by the commands that load. */
export const BATCH_FILES_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'N',
  description:
    "Most files of one table per load transaction (default: the warehouse's maximum, 100 for DuckDB and PostgreSQL).",
};

/** `--config`, shared by the commands that load. */
export const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'file',
  description:
    'Table settings and routes (default: $LAKELOAD_CONFIG, else lakeload.config.json when present).',
};

/** Table settings and routing rules from `--config`, the environment or ./lakeload.config.json. */
export async function configFrom(values: Parsed['values']): Promise<LoaderConfig> {
  const explicit = stringOption(values, 'config') ?? process.env.LAKELOAD_CONFIG;
  try {
    return await readLoaderConfig(explicit ?? 'lakeload.config.json', { optional: explicit === undefined });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The warehouse URL from `--warehouse`, the environment or the default. */
export function warehouseUrl(values: Parsed['values']): string {
  const url = stringOption(values, 'warehouse') ?? process.env.LAKELOAD_WAREHOUSE_URL ?? DEFAULT_WAREHOUSE;
  // Its password is masked in every output from here on, also where it appears without the URL.
  registerSecretsOf(url);
  return url;
}

export const loadSpec: CommandSpec = {
  name: 'load',
  summary:
    'Load Parquet files into the warehouse now: each file upserts into the table its folder names, exactly once (the warehouse keeps a ledger of loaded files).',
  usage: 'lakeload load <file|folder|s3://bucket/key|s3://bucket/prefix/>... [--warehouse URL] [options]',
  positionals: true,
  options: {
    warehouse: WAREHOUSE_OPTION,
    config: CONFIG_OPTION,
    notify: NOTIFY_OPTION,
    'batch-files': BATCH_FILES_OPTION,
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: [
    'lakeload load out/demo/lake',
    'lakeload load s3://my-lake/landing/year=2025/ --json',
    'lakeload load lake/ --warehouse postgres://loader@127.0.0.1:5432/analytics --notify console --json',
    'lakeload load lake/ --notify jsonl:logs/loads.jsonl --notify webhook:https://hooks.slack.com/services/…',
  ],
};

export interface LoadSummary {
  warehouse: string;
  objects: ObjectResult[];
  loaded: number;
  duplicate: number;
  skipped: number;
  failed: number;
  inserted: number;
  updated: number;
}

export function summarize(warehouse: string, objects: ObjectResult[]): LoadSummary {
  const summary: LoadSummary = {
    warehouse: redactUrl(warehouse),
    objects,
    loaded: 0,
    duplicate: 0,
    skipped: 0,
    failed: 0,
    inserted: 0,
    updated: 0,
  };
  for (const object of objects) {
    summary[object.status] += 1;
    if (object.status === 'loaded') {
      summary.inserted += object.inserted;
      summary.updated += object.updated;
    }
  }
  return summary;
}

export function describeLoad(summary: LoadSummary): string {
  const lines = summary.objects
    .filter((object) => object.status !== 'skipped')
    .map((object) => {
      switch (object.status) {
        case 'loaded':
          return `loaded     ${object.table}: +${object.inserted} inserted, ${object.updated} updated, ${object.unchanged} unchanged (${object.durationMs} ms) ${object.uri}`;
        case 'duplicate':
          return `duplicate  ${object.table}: already loaded ${object.uri}`;
        case 'failed':
          return `FAILED     ${object.uri}\n           ${object.error}\n           tip: ${object.tip}`;
        default:
          return '';
      }
    });
  return [
    ...lines,
    '',
    `${summary.loaded} loaded (${summary.inserted} rows inserted, ${summary.updated} updated), ${summary.duplicate} already loaded, ${summary.skipped} skipped, ${summary.failed} failed → ${summary.warehouse}`,
  ].join('\n');
}

/** Notifiers from `--notify` values. */
export function notifiersFor(sinks: readonly string[]): Notifier[] {
  return sinks.map((sink) => {
    if (sink === 'console') return new ConsoleNotifier(stderrLogger);
    if (sink.startsWith('jsonl:') && sink.length > 6) return new JsonlFileNotifier(sink.slice(6));
    if (sink.startsWith('webhook:')) {
      // A webhook URL is a secret, whether or not it is well formed: never echoed.
      registerSecret(sink.slice(8));
      if (/^webhook:https?:\/\//.test(sink)) return new WebhookNotifier(sink.slice(8));
      throw new UsageError(
        '--notify webhook:<url> needs an http:// or https:// URL (the value given is not shown)',
      );
    }
    throw new UsageError(
      `--notify expects console, jsonl:<file> or webhook:<http(s) url>, got "${sink.split(':')[0]}:…"`,
    );
  });
}

/** Objects named on the command line, and the store that reads them. */
export interface Source {
  refs: ObjectRef[];
  store: ObjectStore;
}

/**
 * The sources `paths` name: local files and folders, each folder a bucket (one place to add other
 * kinds of source). A path that does not exist is a usage error.
 */
async function resolveSources(paths: readonly string[]): Promise<Source[]> {
  const local = paths.filter((path) => !isS3Uri(path));
  const missing = local.find((path) => !existsSync(path));
  if (missing) throw new UsageError(`"${missing}" does not exist`);
  const sources: Source[] = [];
  if (local.length > 0) {
    const files = await localObjects(local);
    sources.push({ refs: files.map((file) => file.ref), store: localStore() });
  }
  const uris = paths.filter(isS3Uri);
  if (uris.length > 0) sources.push(await s3Source(uris));
  return sources;
}

/**
 * Loads every Parquet file under `paths`, files of one table in batches; shared by `load` and
 * `demo`. Results come back per file.
 */
export async function loadPaths(
  paths: readonly string[],
  warehouse: string,
  signal: AbortSignal,
  progress: ProgressBar,
  notifiers: readonly Notifier[] = [],
  config: LoaderConfig = { tables: {}, rules: [] },
  maxBatchFiles?: number,
) {
  const sources = await resolveSources(paths);
  const total = sources.reduce((sum, source) => sum + source.refs.length, 0);
  const driver = await openWarehouse(warehouse);
  try {
    const loader = new Loader({
      driver,
      logger: stderrLogger,
      notifiers,
      tables: config.tables,
      rules: config.rules,
      ...(maxBatchFiles === undefined ? {} : { maxBatchFiles }),
    });
    const results: ObjectResult[] = [];
    let done = 0;
    progress.update('loading', done, total);
    for (const source of sources) {
      signal.throwIfAborted();
      const loaded = await loader.loadObjects(source.refs, source.store, {
        signal,
        onResult: () => progress.update('loading', ++done, total),
      });
      results.push(...loaded);
    }
    progress.done();
    return summarize(warehouse, results);
  } finally {
    await driver.close();
    for (const notifier of notifiers) await notifier.close?.();
  }
}

export async function runLoad(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(loadSpec, argv);
  if (positionals.length === 0)
    throw new UsageError('name at least one Parquet file or folder (or s3:// URI) to load');
  const warehouse = warehouseUrl(values);
  try {
    parseWarehouseUrl(warehouse);
  } catch (error) {
    if (error instanceof LoaderError) throw new UsageError(`--warehouse: ${error.message}`);
    throw error;
  }
  const json = values.json === true;
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true });
  const notify = values.notify;
  const notifiers = notifiersFor(Array.isArray(notify) ? notify : []);
  const config = await configFrom(values);
  const batchFiles =
    values['batch-files'] === undefined ? undefined : numberOption(values, 'batch-files', 1, { min: 1 });
  const summary = await loadPaths(positionals, warehouse, signal, progress, notifiers, config, batchFiles);
  out(json ? `${JSON.stringify(summary)}\n` : `${describeLoad(summary)}\n`);
  return summary.failed > 0 ? EXIT.failed : EXIT.ok;
}
