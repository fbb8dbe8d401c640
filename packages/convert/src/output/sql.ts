// Every SQL text the converter runs is built here by pure functions; identifiers and literals pass
// through the two quoting functions below and nowhere else.
import { DATASETS, type DatasetSpec } from './datasets.js';

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new RangeError('a SQL literal cannot hold a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

export type Compression = 'snappy' | 'zstd';

export interface ParquetOptions {
  compression: Compression;
  rowGroupSize: number;
}

/** Staging holds validated rows in the cheapest types to append: every number is a safe integer. */
export const STAGING_ORDERS = 'staging_orders';
export const STAGING_ITEMS = 'staging_items';

export function createStagingSql(): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE ${STAGING_ORDERS} (
  record_no DOUBLE, first_line DOUBLE, last_line DOUBLE,
  order_id DOUBLE, order_ts DOUBLE, updated_ts DOUBLE, status VARCHAR, currency VARCHAR,
  customer_id DOUBLE, customer_name VARCHAR, customer_email VARCHAR, customer_country VARCHAR, customer_segment VARCHAR,
  item_count INTEGER, total_quantity DOUBLE,
  subtotal DOUBLE, discount DOUBLE, tax DOUBLE, shipping DOUBLE, total DOUBLE,
  is_gift BOOLEAN, coupon_code VARCHAR
)`,
    `CREATE OR REPLACE TEMP TABLE ${STAGING_ITEMS} (
  record_no DOUBLE, line_number INTEGER, sku VARCHAR, product_name VARCHAR, category VARCHAR,
  quantity INTEGER, unit_price DOUBLE, line_total DOUBLE
)`,
  ];
}

export function dropStagingSql(): string[] {
  return [`DROP TABLE IF EXISTS ${STAGING_ORDERS}`, `DROP TABLE IF EXISTS ${STAGING_ITEMS}`];
}

/** Later copies of an order version (same order_id and updated_at) with the line of the first copy. */
export function findDuplicatesSql(): string {
  return `SELECT CAST(record_no AS BIGINT) AS record_no,
  CAST(min(first_line) OVER (PARTITION BY order_id, updated_ts) AS BIGINT) AS original_line
FROM ${STAGING_ORDERS}
QUALIFY row_number() OVER (PARTITION BY order_id, updated_ts ORDER BY record_no) > 1
ORDER BY record_no`;
}

export function deleteRecordsSql(recordNumbers: readonly number[]): string[] {
  const list = recordNumbers.map((n) => String(Math.trunc(n))).join(', ');
  return [STAGING_ORDERS, STAGING_ITEMS].map((table) => `DELETE FROM ${table} WHERE record_no IN (${list})`);
}

function sourceOf(dataset: DatasetSpec): string {
  return dataset.grain === 'order'
    ? `${STAGING_ORDERS} AS o`
    : `${STAGING_ITEMS} AS i JOIN ${STAGING_ORDERS} AS o USING (record_no)`;
}

/**
 * Writes one dataset for the staged input under `directory`, partitioned by the order's UTC date
 * into `year=YYYY/month=MM/day=DD` folders (zero-padded, as the layout promises).
 */
export function copyDatasetSql(dataset: DatasetSpec, directory: string, options: ParquetOptions): string {
  const columns = dataset.columns.map((column) => `  ${column.sql} AS ${quoteIdentifier(column.name)}`);
  const day = 'make_timestamp(CAST(o.order_ts AS BIGINT))';
  return `COPY (
SELECT
${columns.join(',\n')},
  strftime(${day}, '%Y') AS "year",
  strftime(${day}, '%m') AS "month",
  strftime(${day}, '%d') AS "day"
FROM ${sourceOf(dataset)}
) TO ${quoteLiteral(directory)} (FORMAT parquet, COMPRESSION ${quoteLiteral(options.compression)}, ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)}, PARTITION_BY ("year", "month", "day"))`;
}

export function copyAllSql(directoryOf: (dataset: DatasetSpec) => string, options: ParquetOptions): string[] {
  return DATASETS.map((dataset) => copyDatasetSql(dataset, directoryOf(dataset), options));
}
