import { DEAD_LETTER_TABLE, LEDGER_TABLE, openWarehouse, redactUrl } from '@lakeload/loader';
import { type CommandSpec, numberOption, parse } from '../args.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { WAREHOUSE_OPTION, warehouseUrl } from './load.js';

export const statusSpec: CommandSpec = {
  name: 'status',
  summary:
    'Show the warehouse as the loader sees it: recent loads, rows per table, failures with their reasons, and dead letters.',
  usage: 'lakeload status [--warehouse URL] [--recent N] [--json]',
  options: {
    warehouse: WAREHOUSE_OPTION,
    recent: {
      type: 'string',
      valueName: 'N',
      description: 'How many recent loads and failures to list (default 10).',
    },
    json: { type: 'boolean', description: 'Print machine-readable output instead of text.' },
  },
  examples: ['lakeload status', 'lakeload status --warehouse duckdb:out/demo/warehouse.duckdb --json'],
};

type Rows = Record<string, unknown>[];

function table(rows: Rows): string {
  if (rows.length === 0) return '  (none)';
  const columns = Object.keys(rows[0] ?? {});
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells
    .map(
      (line) =>
        `  ${line
          .map((cell, index) => cell.padEnd(widths[index] ?? 0))
          .join('  ')
          .trimEnd()}`,
    )
    .join('\n');
}

export async function runStatus(argv: readonly string[]): Promise<number> {
  const { values } = parse(statusSpec, argv);
  const warehouse = warehouseUrl(values);
  const recent = numberOption(values, 'recent', 10, { min: 1, max: 1000 });
  const driver = await openWarehouse(warehouse);
  try {
    const c = driver.compiler;
    await driver.runDdl([c.ledger.createLedger(), c.ledger.createDeadLetters()]);
    const ledger = c.quoteIdentifier(LEDGER_TABLE);
    const loads = await driver.query(
      `SELECT CAST(recorded_at AS VARCHAR) AS at, target_table AS "table", CAST(rows_inserted AS VARCHAR) AS inserted, CAST(rows_updated AS VARCHAR) AS updated, object_uri AS object FROM ${ledger} WHERE status = 'loaded' ORDER BY recorded_at DESC LIMIT ${recent}`,
    );
    const tables = await driver.query(
      `SELECT target_table AS "table", count(*) AS files, CAST(sum(rows_inserted) AS VARCHAR) AS inserted, CAST(sum(rows_updated) AS VARCHAR) AS updated, CAST(max(recorded_at) AS VARCHAR) AS last_load FROM ${ledger} WHERE status = 'loaded' GROUP BY target_table ORDER BY target_table`,
    );
    const rowsPerTable: Rows = [];
    for (const row of tables) {
      const [count] = await driver.query(`SELECT count(*) AS n FROM ${c.quoteIdentifier(String(row.table))}`);
      rowsPerTable.push({ ...row, rows: String(count?.n ?? 0) });
    }
    const failures = await driver.query(
      `SELECT CAST(recorded_at AS VARCHAR) AS at, object_uri AS object, error FROM ${ledger} WHERE status = 'failed' ORDER BY recorded_at DESC LIMIT ${recent}`,
    );
    const deadLetters = await driver.query(
      `SELECT object_uri AS object, error, tip FROM ${c.quoteIdentifier(DEAD_LETTER_TABLE)} WHERE replayed_at IS NULL ORDER BY failed_at DESC`,
    );
    const status = {
      warehouse: redactUrl(warehouse),
      tables: rowsPerTable,
      recentLoads: loads,
      recentFailures: failures,
      deadLetters,
    };
    if (values.json === true) out(`${JSON.stringify(status)}\n`);
    else {
      out(
        [
          `Warehouse ${redactUrl(warehouse)}`,
          '',
          'Tables',
          table(rowsPerTable),
          '',
          `Recent loads`,
          table(loads),
          '',
          'Recent failures',
          table(failures),
          '',
          `Dead letters waiting for replay: ${deadLetters.length}${deadLetters.length > 0 ? ' (lakeload replay)' : ''}`,
          ...(deadLetters.length > 0 ? [table(deadLetters)] : []),
          '',
        ].join('\n'),
      );
    }
    return EXIT.ok;
  } finally {
    await driver.close();
  }
}
