// Analytics over the order tables the converter's datasets load into (order_summary,
// order_flattened): pure functions from a report's name and range to SQL text that DuckDB, PostgreSQL
// and Redshift all accept, and one function that runs it. Every column comes back as text cast in
// SQL, so that money stays an exact decimal and every dialect returns the same strings; ties are
// broken on keys whose order no collation changes (dates, integers, SKUs).
import { LoaderError } from '../errors.js';
import type { Driver } from '../warehouse/dialect.js';
import type { SqlQuoting } from '../warehouse/sql-compiler.js';

/** The reports, by the name the CLI takes. */
export const REPORT_NAMES = ['daily-revenue', 'top-products', 'status-funnel', 'customer-ltv'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** A report's options: an inclusive range of order days, and the most rows of a ranking. */
export interface ReportOptions {
  /** First order day included, `YYYY-MM-DD`. */
  from?: string;
  /** Last order day included, `YYYY-MM-DD`. */
  to?: string;
  /** Rows of `top-products` and `customer-ltv` (default 10, at most 10000). */
  limit?: number;
}

/** A report's rows: every value text (or null), columns in SELECT order. */
export interface ReportResult {
  report: ReportName;
  columns: string[];
  rows: Record<string, string | null>[];
}

/** A report name or option that cannot be used; the message names it and what is accepted. */
export class ReportOptionsError extends LoaderError {
  override name = 'ReportOptionsError';
}

/** Order statuses that are not revenue: the order was cancelled or sent back. */
const NOT_REVENUE = ['cancelled', 'returned'];

/** Funnel stages: the order lifecycle in order; any other status is an exit, ranked last. */
const STAGES = ['pending', 'paid', 'shipped', 'delivered', 'returned'];

function day(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== value
  )
    throw new ReportOptionsError(`--${option} must be a real date as YYYY-MM-DD, got "${value}"`);
  return value;
}

/** Validates a report name; the error lists the reports. */
export function reportName(name: string): ReportName {
  if (!(REPORT_NAMES as readonly string[]).includes(name))
    throw new ReportOptionsError(`unknown report "${name}"; choose one of ${REPORT_NAMES.join(', ')}`);
  return name as ReportName;
}

/**
 * The SQL of one report. Pure: the same name and options give the same text; dates are validated
 * and written as literals through the compiler's quoting, like every name.
 */
export function reportSql(q: SqlQuoting, report: ReportName, options: ReportOptions = {}): string {
  const from = day('from', options.from);
  const to = day('to', options.to);
  if (from && to && from > to) throw new ReportOptionsError(`--from ${from} is after --to ${to}`);
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new ReportOptionsError(`--limit must be a whole number from 1 to 10000, got ${limit}`);
  const id = (name: string) => q.quoteIdentifier(name);
  const text = (expression: string, alias: string) => `CAST(${expression} AS VARCHAR) AS ${id(alias)}`;
  const list = (values: readonly string[]) => values.map((value) => q.quoteLiteral(value)).join(', ');
  const range = [
    ...(from ? [`${id('order_day')} >= CAST(${q.quoteLiteral(from)} AS DATE)`] : []),
    ...(to ? [`${id('order_day')} <= CAST(${q.quoteLiteral(to)} AS DATE)`] : []),
  ];
  const where = (conditions: readonly string[]) =>
    conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const revenue = [`${id('status')} NOT IN (${list(NOT_REVENUE)})`, ...range];
  switch (report) {
    case 'daily-revenue':
      return `SELECT ${text(id('order_day'), 'day')}, ${text('count(*)', 'orders')}, ${text(`sum(${id('total')})`, 'revenue')} FROM ${id('order_summary')}${where(revenue)} GROUP BY ${id('order_day')} ORDER BY ${id('order_day')}`;
    case 'top-products':
      return `SELECT ${id('sku')}, ${id('product_name')}, ${text(`sum(${id('quantity')})`, 'units')}, ${text(`sum(${id('line_total')})`, 'revenue')} FROM ${id('order_flattened')}${where(revenue)} GROUP BY ${id('sku')}, ${id('product_name')} ORDER BY sum(${id('line_total')}) DESC, ${id('sku')} LIMIT ${limit}`;
    case 'status-funnel': {
      const stage = `CASE ${id('status')} ${STAGES.map((status, index) => `WHEN ${q.quoteLiteral(status)} THEN ${index + 1}`).join(' ')} ELSE ${STAGES.length + 1} END`;
      const s = id('stage');
      const orders = id('orders');
      // Reached: every order was pending; a later stage counts the orders at it or beyond on the
      // main line; an exit (cancelled, or any other status) counts its own.
      const reached = `CASE WHEN ${s} = 1 THEN sum(${orders}) OVER () WHEN ${s} > ${STAGES.length} THEN ${orders} ELSE sum(CASE WHEN ${s} <= ${STAGES.length} THEN ${orders} ELSE 0 END) OVER (ORDER BY ${s} DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END`;
      return `WITH ${id('by_status')} AS (SELECT ${id('status')}, ${stage} AS ${s}, count(*) AS ${orders}, sum(${id('total')}) AS ${id('value')} FROM ${id('order_summary')}${where(range)} GROUP BY ${id('status')}) SELECT ${id('status')}, ${text(s, 'stage')}, ${text(orders, 'orders')}, ${text(reached, 'reached')}, ${text(id('value'), 'value')} FROM ${id('by_status')} ORDER BY ${s}, ${id('status')}`;
    }
    case 'customer-ltv':
      return `SELECT ${text(id('customer_id'), 'customer_id')}, ${id('customer_name')}, ${text('count(*)', 'orders')}, ${text(`min(${id('order_day')})`, 'first_order')}, ${text(`max(${id('order_day')})`, 'last_order')}, ${text(`sum(${id('total')})`, 'lifetime_value')} FROM ${id('order_summary')}${where(revenue)} GROUP BY ${id('customer_id')}, ${id('customer_name')} ORDER BY sum(${id('total')}) DESC, ${id('customer_id')} LIMIT ${limit}`;
  }
}

/** Runs one report on a warehouse: its rows, every value as text. */
export async function runReport(
  driver: Driver,
  report: ReportName,
  options: ReportOptions = {},
): Promise<ReportResult> {
  const sql = reportSql(driver.compiler, report, options);
  const table = report === 'top-products' ? 'order_flattened' : 'order_summary';
  if (!(await driver.tableColumns(table))) {
    throw new LoaderError(
      `report ${report} reads the table "${table}", which this warehouse does not have: load the converted orders first (lakeload load <lake folder>)`,
    );
  }
  const rows = await driver.query(sql);
  const columns = COLUMNS[report];
  return {
    report,
    columns: [...columns],
    rows: rows.map((row) =>
      Object.fromEntries(columns.map((column) => [column, row[column] == null ? null : String(row[column])])),
    ),
  };
}

/** Each report's columns, in SELECT order (the names the SQL gives them). */
export const COLUMNS: Readonly<Record<ReportName, readonly string[]>> = {
  'daily-revenue': ['day', 'orders', 'revenue'],
  'top-products': ['sku', 'product_name', 'units', 'revenue'],
  'status-funnel': ['status', 'stage', 'orders', 'reached', 'value'],
  'customer-ltv': ['customer_id', 'customer_name', 'orders', 'first_order', 'last_order', 'lifetime_value'],
};
