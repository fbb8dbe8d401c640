import { DEFAULT_PORT, startDashboard } from '@lakeload/dashboard';
import { openWarehouse, redactUrl } from '@lakeload/loader';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { CONFIG_OPTION, configFrom, WAREHOUSE_OPTION, warehouseUrl } from './load.js';

export const dashboardSpec: CommandSpec = {
  name: 'dashboard',
  summary:
    'Serve a live dashboard of the warehouse: recent loads and failures, loads, rows and latency over time, freshness per table, failures by reason and the dead-letter queue. Read-only unless --allow-actions; opens nothing by itself, Ctrl-C stops it.',
  usage: 'lakeload dashboard [--warehouse URL] [--port N] [--host ADDRESS] [--allow-actions]',
  options: {
    warehouse: WAREHOUSE_OPTION,
    port: {
      type: 'string',
      short: 'p',
      valueName: 'N',
      description: `Port to listen on (default ${DEFAULT_PORT}; 0 picks a free one).`,
    },
    host: {
      type: 'string',
      valueName: 'address',
      description:
        'Address to bind (default 127.0.0.1, this machine only). The page has no login: bind another address only on a network you trust.',
    },
    'allow-actions': {
      type: 'boolean',
      description: 'Enable the replay button (POST /api/replay); without it the dashboard only reads.',
    },
    config: CONFIG_OPTION,
    refresh: {
      type: 'string',
      valueName: 'seconds',
      description: "Seconds between the page's refreshes (default 10).",
    },
  },
  examples: [
    'lakeload dashboard --warehouse duckdb:out/demo/warehouse.duckdb',
    'lakeload dashboard --warehouse postgres://loader@127.0.0.1:5432/analytics --port 9000 --allow-actions',
  ],
};

/** Serves until Ctrl-C (or SIGTERM), then closes the server and the warehouse; that end is exit 0. */
export async function runDashboard(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(dashboardSpec, argv);
  const warehouse = warehouseUrl(values);
  const port = numberOption(values, 'port', DEFAULT_PORT, { min: 0, max: 65_535 });
  const refreshSeconds = numberOption(values, 'refresh', 10, { min: 2, max: 3600 });
  const host = stringOption(values, 'host') ?? '127.0.0.1';
  const allowActions = values['allow-actions'] === true;
  const config = await configFrom(values);
  const driver = await openWarehouse(warehouse);
  try {
    const dashboard = await startDashboard({
      driver,
      warehouseLabel: redactUrl(warehouse),
      host,
      port,
      allowActions,
      refreshSeconds,
      tables: config.tables,
      rules: config.rules,
    });
    out(
      `lakeload dashboard: ${dashboard.url} over ${redactUrl(warehouse)} (${allowActions ? 'replay enabled' : 'read-only; --allow-actions enables replay'}); Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await dashboard.close();
    out('lakeload dashboard: stopped\n');
    return EXIT.ok;
  } finally {
    await driver.close();
  }
}
