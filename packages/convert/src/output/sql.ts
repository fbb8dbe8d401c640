// Every SQL text the converter runs is built here by pure functions; identifiers and literals pass
// through the two quoting functions below and nowhere else.
import type { DatasetSpec } from './datasets.js';

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

/** Valid records of the input being converted, loaded from the spool files. */
export const STAGED = 'staged_orders';
export const CHUNK_OFFSETS = 'chunk_offsets';

// The spool's fields (pipeline/batch.ts) as DuckDB types: integers throughout, money in cents and
// timestamps in microseconds since the epoch, UTC.
const SPOOL_COLUMNS: Record<string, string> = {
  c: 'BIGINT',
  r: 'BIGINT',
  f: 'BIGINT',
  l: 'BIGINT',
  order_id: 'BIGINT',
  order_date_us: 'BIGINT',
  updated_at_us: 'BIGINT',
  status: 'VARCHAR',
  currency: 'VARCHAR',
  customer_id: 'BIGINT',
  customer_name: 'VARCHAR',
  customer_email: 'VARCHAR',
  customer_country: 'VARCHAR',
  customer_segment: 'VARCHAR',
  subtotal_cents: 'BIGINT',
  discount_cents: 'BIGINT',
  tax_cents: 'BIGINT',
  shipping_cents: 'BIGINT',
  total_cents: 'BIGINT',
  is_gift: 'BOOLEAN',
  coupon_code: 'VARCHAR',
  items:
    'STRUCT(line_number INTEGER, sku VARCHAR, product_name VARCHAR, category VARCHAR, quantity INTEGER, unit_price_cents BIGINT, line_total_cents BIGINT)[]',
};

/** Cents to DECIMAL(12,2) without a float in between: multiplying by a DECIMAL literal stays exact. */
export const centsToMoney = (sql: string) => `CAST(${sql} * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(12,2))`;

/** Loads the spooled valid records into one typed table (see pipeline/batch.ts for the spool format). */
export function loadSpoolsSql(spools: readonly string[]): string {
  const files = spools.map(quoteLiteral).join(', ');
  const columns = `{${Object.entries(SPOOL_COLUMNS)
    .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
    .join(', ')}}`;
  const money = (name: string) => `${centsToMoney(`${name}_cents`)} AS ${name}`;
  return `CREATE OR REPLACE TABLE ${STAGED} AS
SELECT
  c AS chunk_id, r AS record_no, f AS first_line, l AS last_line,
  order_id,
  make_timestamptz(order_date_us) AS order_date,
  CAST(make_timestamp(order_date_us) AS DATE) AS order_day,
  make_timestamptz(updated_at_us) AS updated_at,
  status, currency, customer_id, customer_name, customer_email, customer_country, customer_segment,
  CAST(len(items) AS INTEGER) AS item_count,
  CAST(list_sum([item.quantity FOR item IN items]) AS BIGINT) AS total_quantity,
  ${['subtotal', 'discount', 'tax', 'shipping', 'total'].map(money).join(', ')},
  is_gift, coupon_code, items
FROM read_json([${files}], format = 'newline_delimited', maximum_object_size = 8388608, columns = ${columns})`;
}

export function dropStagedSql(): string[] {
  return [STAGED, CHUNK_OFFSETS, DUPLICATES].map((table) => `DROP TABLE IF EXISTS ${table}`);
}

export interface ChunkOffset {
  chunkId: number;
  recordBase: number;
  lineBase: number;
}

export function chunkOffsetsSql(offsets: readonly ChunkOffset[]): string[] {
  const rows = offsets.map(({ chunkId, recordBase, lineBase }) => `(${chunkId}, ${recordBase}, ${lineBase})`);
  const statements = [
    `CREATE OR REPLACE TEMP TABLE ${CHUNK_OFFSETS} (chunk_id DOUBLE, record_base DOUBLE, line_base DOUBLE)`,
  ];
  for (let i = 0; i < rows.length; i += 1000) {
    statements.push(`INSERT INTO ${CHUNK_OFFSETS} VALUES ${rows.slice(i, i + 1000).join(', ')}`);
  }
  return statements;
}

/** The UTC days the staged orders fall on, as `YYYY-MM-DD`. */
export function stagedDaysSql(): string {
  return `SELECT DISTINCT strftime(order_day, '%Y-%m-%d') AS day FROM ${STAGED} ORDER BY day`;
}

export const DUPLICATES = 'duplicates';

/**
 * Marks later copies of an order version (same order_id and updated_at) in input order — by
 * chunk, then by record — with the input's record number and the line of the first copy. Only the
 * narrow key columns are sorted.
 */
export function markDuplicatesSql(): string {
  return `CREATE OR REPLACE TEMP TABLE ${DUPLICATES} AS
SELECT chunk_id, record_no AS local_record_no,
  CAST(record_no + record_base AS BIGINT) AS record_no,
  CAST(min(first_line + line_base) OVER (PARTITION BY order_id, updated_at) AS BIGINT) AS original_line
FROM ${STAGED} JOIN ${CHUNK_OFFSETS} USING (chunk_id)
QUALIFY row_number() OVER (PARTITION BY order_id, updated_at ORDER BY chunk_id, record_no) > 1`;
}

export function listDuplicatesSql(): string {
  return `SELECT record_no, original_line FROM ${DUPLICATES} ORDER BY record_no`;
}

/** Removes the marked duplicates, so that only the first copy of each order version is written. */
export function deleteDuplicatesSql(): string {
  return `DELETE FROM ${STAGED} AS s USING ${DUPLICATES} AS d
WHERE s.chunk_id = d.chunk_id AND s.record_no = d.local_record_no`;
}

/**
 * Writes one dataset's rows for one UTC day to one Parquet file. One day at a time keeps a single
 * row group in memory per writer thread, where a partitioned write would hold one per open partition.
 */
export function copyDaySql(dataset: DatasetSpec, day: string, file: string, options: ParquetOptions): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a day: ${day}`);
  const columns = dataset.columns.map((column) => `  ${column.sql} AS ${quoteIdentifier(column.name)}`);
  const items = dataset.grain === 'item' ? ', unnest(o.items) AS u(i)' : '';
  // The day filter sits inside the subquery so that only that day's orders are unnested.
  return `COPY (
SELECT
${columns.join(',\n')}
FROM (SELECT * FROM ${STAGED} WHERE order_day = DATE ${quoteLiteral(day)}) AS o${items}
) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION ${quoteLiteral(options.compression)}, ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)})`;
}
