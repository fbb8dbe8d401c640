import { csvField } from '@lakeload/commons';
import {
  LoaderError,
  openWarehouse,
  REPORT_NAMES,
  type ReportOptions,
  ReportOptionsError,
  type ReportResult,
  redactUrl,
  reportName,
  runReport,
} from '@lakeload/loader';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out } from '../output.js';
import { WAREHOUSE_OPTION, warehouseUrl } from './load.js';
import { formatTable } from './reconcile.js';

export const reportSpec: CommandSpec = {
  name: 'report',
  summary: `Run an analytics report over the loaded order tables on any warehouse: ${REPORT_NAMES.join(', ')}. Money is exact; the SQL is in the CLI README for BI tools.`,
  usage: `lakeload report <${REPORT_NAMES.join('|')}> [--from DATE] [--to DATE] [--warehouse URL] [--json|--csv]`,
  positionals: true,
  options: {
    warehouse: WAREHOUSE_OPTION,
    from: {
      type: 'string',
      valueName: 'YYYY-MM-DD',
      description: 'First order day included (default: the first).',
    },
    to: {
      type: 'string',
      valueName: 'YYYY-MM-DD',
      description: 'Last order day included (default: the last).',
    },
    limit: {
      type: 'string',
      valueName: 'N',
      description: 'Rows of top-products and customer-ltv (default 10, at most 10000).',
    },
    json: { type: 'boolean', description: 'Print the rows as JSON (every value a string, money exact).' },
    csv: { type: 'boolean', description: 'Print the rows as CSV with a header line.' },
  },
  examples: [
    'lakeload report daily-revenue --from 2025-11-10 --to 2025-11-12',
    'lakeload report top-products --limit 5 --warehouse duckdb:out/demo/warehouse.duckdb --csv > top.csv',
    'lakeload report customer-ltv --warehouse postgres://loader@127.0.0.1:5432/analytics --json',
  ],
};

function reportCsv(result: ReportResult): string {
  return [
    result.columns.join(','),
    ...result.rows.map((row) => result.columns.map((column) => csvField(row[column] ?? '')).join(',')),
  ].join('\n');
}

export async function runReportCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(reportSpec, argv);
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError(`name one report: ${REPORT_NAMES.join(', ')}`);
  if (values.json === true && values.csv === true) throw new UsageError('choose one of --json and --csv');
  const from = stringOption(values, 'from');
  const to = stringOption(values, 'to');
  const options: ReportOptions = {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    limit: numberOption(values, 'limit', 10, { min: 1, max: 10_000 }),
  };
  let report: ReturnType<typeof reportName>;
  try {
    report = reportName(name);
  } catch (error) {
    if (error instanceof LoaderError) throw new UsageError(error.message);
    throw error;
  }
  const warehouse = warehouseUrl(values);
  const driver = await openWarehouse(warehouse);
  try {
    let result: ReportResult;
    try {
      result = await runReport(driver, report, options);
    } catch (error) {
      if (error instanceof ReportOptionsError) throw new UsageError(error.message);
      throw error;
    }
    if (values.json === true)
      out(`${JSON.stringify({ warehouse: redactUrl(warehouse), ...options, ...result })}\n`);
    else if (values.csv === true) out(`${reportCsv(result)}\n`);
    else out(`${report} (${redactUrl(warehouse)})\n${formatTable(result.rows)}\n`);
    return EXIT.ok;
  } finally {
    await driver.close();
  }
}
