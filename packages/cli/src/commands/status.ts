import { LedgerReads, ledgerTables, openWarehouse, redactUrl } from '@lakeload/loader';
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
    // A read command: tables that do not exist yet are shown empty, never created.
    const exists = await ledgerTables(driver);
    const reads = new LedgerReads(driver.compiler);
    const read = async (present: boolean, sql: () => string): Promise<Rows> =>
      present ? driver.query(sql()) : [];
    const loads = await read(exists.ledger, () => reads.recentLoads(recent));
    const tables = await read(exists.ledger, () => reads.loadedTables());
    const rowsPerTable: Rows = [];
    for (const row of tables) {
      const [count] = await driver.query(reads.tableRows(String(row.table)));
      rowsPerTable.push({ ...row, rows: String(count?.table_rows ?? 0) });
    }
    const failures = await read(exists.ledger, () => reads.recentFailures(recent));
    const deadLetters = await read(exists.deadLetters, () => reads.waitingDeadLetters());
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
