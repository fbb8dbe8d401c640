import { existsSync } from 'node:fs';
import { Loader, type ObjectResult, openWarehouse, redactUrl, watchFolder } from '@lakeload/loader';
import { type CommandSpec, numberOption, parse } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { MetricsNotifier, type MetricsServer, serveMetrics } from '../metrics.js';
import { err, out, stderrLogger } from '../output.js';
import {
  BATCH_FILES_OPTION,
  CONFIG_OPTION,
  configFrom,
  describeLoad,
  NOTIFY_OPTION,
  notifiersFor,
  summarize,
  WAREHOUSE_OPTION,
  warehouseUrl,
} from './load.js';

export const watchSpec: CommandSpec = {
  name: 'watch',
  summary:
    'Treat a local folder as the bucket: load the Parquet files already there, then new and changed ones as they land, until Ctrl-C (which lets the load in progress finish). A restart reloads nothing.',
  usage: 'lakeload watch <folder> [--warehouse URL] [options]',
  positionals: true,
  options: {
    warehouse: WAREHOUSE_OPTION,
    config: CONFIG_OPTION,
    interval: {
      type: 'string',
      valueName: 'ms',
      description: 'Pause between scans of the folder (default 1000).',
    },
    notify: NOTIFY_OPTION,
    'batch-files': BATCH_FILES_OPTION,
    'metrics-port': {
      type: 'string',
      valueName: 'port',
      description:
        'Serve Prometheus metrics at http://<host>:<port>/metrics (0: any free port; off by default).',
    },
    'metrics-host': {
      type: 'string',
      valueName: 'address',
      description: 'Address the metrics endpoint listens on (default 127.0.0.1: this machine only).',
    },
    json: { type: 'boolean', description: 'Print each result, and the summary at the end, as JSON lines.' },
  },
  examples: [
    'lakeload watch out/demo/lake',
    'lakeload watch out/demo/lake --metrics-port 9464',
    'lakeload watch /srv/landing --warehouse postgres://loader@db/analytics --notify console',
  ],
};

export async function runWatch(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(watchSpec, argv);
  const [folder] = positionals;
  if (!folder || positionals.length > 1) throw new UsageError('name exactly one folder to watch');
  if (!existsSync(folder)) throw new UsageError(`"${folder}" does not exist`);
  const warehouse = warehouseUrl(values);
  const notify = values.notify;
  const notifiers = notifiersFor(Array.isArray(notify) ? notify : []);
  const json = values.json === true;
  const config = await configFrom(values);
  const metricsPort =
    values['metrics-port'] === undefined
      ? undefined
      : numberOption(values, 'metrics-port', 0, { min: 0, max: 65535 });
  const driver = await openWarehouse(warehouse);
  const results: ObjectResult[] = [];
  let metrics: MetricsServer | undefined;
  try {
    if (metricsPort !== undefined) {
      const counting = new MetricsNotifier();
      const host = typeof values['metrics-host'] === 'string' ? values['metrics-host'] : '127.0.0.1';
      metrics = await serveMetrics(counting.registry, metricsPort, host).catch((error: Error) => {
        throw new UsageError(
          `--metrics-port ${metricsPort}: cannot listen on ${host} (${error.message}); choose another port`,
        );
      });
      notifiers.push(counting);
      err(`metrics at ${metrics.url}\n`);
    }
    const loader = new Loader({
      driver,
      logger: stderrLogger,
      notifiers,
      tables: config.tables,
      rules: config.rules,
      ...(values['batch-files'] === undefined
        ? {}
        : { maxBatchFiles: numberOption(values, 'batch-files', 1, { min: 1 }) }),
    });
    if (!json) err(`watching ${folder} → ${redactUrl(warehouse)} (Ctrl-C to stop)\n`);
    await watchFolder(folder, loader, {
      intervalMs: numberOption(values, 'interval', 1000, { min: 50 }),
      signal,
      onResult: (result) => {
        results.push(result);
        if (json) out(`${JSON.stringify(result)}\n`);
        else if (result.status !== 'skipped')
          out(`${describeLoad({ ...summarize(warehouse, [result]) }).split('\n')[0]}\n`);
      },
    });
  } finally {
    await driver.close();
    for (const notifier of notifiers) await notifier.close?.();
    await metrics?.close();
  }
  const summary = summarize(warehouse, results);
  out(
    json
      ? `${JSON.stringify({ ...summary, objects: undefined })}\n`
      : `${describeLoad({ ...summary, objects: [] }).trim()}\n`,
  );
  return EXIT.ok;
}
