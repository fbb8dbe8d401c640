// Every SQL text the converter runs is built here by pure functions; identifiers and literals pass
// through the one pair of quoting functions, @lakeload/commons' (the loader's dialects quote by them).
import { quoteIdentifier, quoteLiteral } from '@lakeload/commons';
import type { DatasetSpec } from './datasets.js';

export type Compression = 'snappy' | 'zstd';

export interface ParquetOptions {
  compression: Compression;
  rowGroupSize: number;
}

/** Valid records of the input being converted, loaded from the spool files. */
const STAGED = 'staged_orders';
const CHUNK_OFFSETS = 'chunk_offsets';

// The order contract as DuckDB types. Money and timestamps stay text here and are cast below; the
// validator has checked every value, and for text DuckDB might read otherwise (escapes) the spool
// holds a canonical rewrite (pipeline/batch.ts).
const ITEM_STRUCT =
  'STRUCT(line_number INTEGER, sku VARCHAR, product_name VARCHAR, category VARCHAR, quantity INTEGER, unit_price VARCHAR, line_total VARCHAR)';
const ORDER_STRUCT = `STRUCT(order_id BIGINT, order_date VARCHAR, updated_at VARCHAR, status VARCHAR, currency VARCHAR, customer STRUCT(customer_id BIGINT, name VARCHAR, email VARCHAR, country VARCHAR, segment VARCHAR), items ${ITEM_STRUCT}[], subtotal VARCHAR, discount VARCHAR, tax VARCHAR, shipping VARCHAR, total VARCHAR, is_gift BOOLEAN, coupon_code VARCHAR)`;

/** Exact: decimal text to DECIMAL(12,2); the validator allowed at most two places. */
export const money = (sql: string) => `CAST(${sql} AS DECIMAL(12,2))`;

/** Loads the spooled valid records into one typed table (see pipeline/batch.ts for the spool format). */
export function loadSpoolsSql(spools: readonly string[]): string {
  const files = spools.map(quoteLiteral).join(', ');
  const columns = `{'c': 'BIGINT', 'r': 'BIGINT', 'f': 'BIGINT', 'l': 'BIGINT', 'o': ${quoteLiteral(ORDER_STRUCT)}}`;
  return `CREATE OR REPLACE TABLE ${STAGED} AS
SELECT
  c AS chunk_id, r AS record_no, f AS first_line, l AS last_line,
  o.order_id,
  CAST(o.order_date AS TIMESTAMPTZ) AS order_date,
  CAST(CAST(o.order_date AS TIMESTAMPTZ) AS DATE) AS order_day,
  CAST(o.updated_at AS TIMESTAMPTZ) AS updated_at,
  o.status, o.currency,
  o.customer.customer_id AS customer_id, o.customer.name AS customer_name, o.customer.email AS customer_email,
  o.customer.country AS customer_country, o.customer.segment AS customer_segment,
  CAST(len(o.items) AS INTEGER) AS item_count,
  CAST(list_sum([item.quantity FOR item IN o.items]) AS BIGINT) AS total_quantity,
  ${money('o.subtotal')} AS subtotal, ${money('o.discount')} AS discount, ${money('o.tax')} AS tax,
  ${money('o.shipping')} AS shipping, ${money('o.total')} AS total,
  o.is_gift, NULLIF(o.coupon_code, '') AS coupon_code,
  o.items
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

const DUPLICATES = 'duplicates';

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
 * DuckDB's worker threads, for the statements that follow. The Parquet writes run on one: with two
 * under the 128 MiB limit, each holding its own row group, the order_flattened write stalled on
 * memory (2.14 GB input: 45–62 s and 384–410 MB peak RSS against 7–17 s and 345–367 MB on one).
 */
export function threadsSql(threads: number): string {
  if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`not a thread count: ${threads}`);
  return `SET threads = ${threads}`;
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
