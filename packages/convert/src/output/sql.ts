// Every SQL text the converter runs is built here by pure functions; identifiers and literals pass
// through the two quoting functions below and nowhere else.
import { ITEM_NUMBERS, ITEM_STRINGS, ORDER_NUMBERS, ORDER_STRINGS } from '../pipeline/batch.js';
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

/**
 * Staging holds validated rows in the cheapest types to append (every number is a safe integer).
 * Each parsing thread stages into its own database; `chunk_id` orders rows across them, and record
 * and line numbers count from 1 within a chunk until `chunk_offsets` makes them the input's.
 */
export const STAGING_ORDERS = 'staging_orders';
export const STAGING_ITEMS = 'staging_items';
export const CHUNK_OFFSETS = 'chunk_offsets';

function columnList(numbers: readonly string[], strings: readonly string[], extra: readonly string[] = []): string {
  return ['chunk_id DOUBLE', ...numbers.map((name) => `${name} DOUBLE`), ...strings.map((name) => `${name} VARCHAR`), ...extra].join(
    ', ',
  );
}

export function createStagingSql(): string[] {
  return [
    `CREATE OR REPLACE TABLE ${STAGING_ORDERS} (${columnList(ORDER_NUMBERS, ORDER_STRINGS, ['is_gift BOOLEAN'])})`,
    `CREATE OR REPLACE TABLE ${STAGING_ITEMS} (${columnList(ITEM_NUMBERS, ITEM_STRINGS)})`,
  ];
}

/** Attaches the staging databases and unions their tables under the staging names. */
export function attachStagingSql(databases: readonly { alias: string; path: string }[]): string[] {
  const union = (table: string) =>
    databases.map(({ alias }) => `SELECT * FROM ${quoteIdentifier(alias)}.${table}`).join(' UNION ALL ');
  return [
    ...databases.map(({ alias, path }) => `ATTACH ${quoteLiteral(path)} AS ${quoteIdentifier(alias)} (READ_ONLY)`),
    `CREATE OR REPLACE TEMP VIEW ${STAGING_ORDERS} AS ${union(STAGING_ORDERS)}`,
    `CREATE OR REPLACE TEMP VIEW ${STAGING_ITEMS} AS ${union(STAGING_ITEMS)}`,
  ];
}

export function detachStagingSql(aliases: readonly string[]): string[] {
  return [
    `DROP VIEW IF EXISTS ${STAGING_ORDERS}`,
    `DROP VIEW IF EXISTS ${STAGING_ITEMS}`,
    `DROP TABLE IF EXISTS ${CHUNK_OFFSETS}`,
    ...aliases.map((alias) => `DETACH DATABASE IF EXISTS ${quoteIdentifier(alias)}`),
  ];
}

export interface ChunkOffset {
  chunkId: number;
  recordBase: number;
  lineBase: number;
}

export function chunkOffsetsSql(offsets: readonly ChunkOffset[]): string[] {
  const rows = offsets.map(({ chunkId, recordBase, lineBase }) => `(${chunkId}, ${recordBase}, ${lineBase})`);
  const statements = [`CREATE OR REPLACE TEMP TABLE ${CHUNK_OFFSETS} (chunk_id DOUBLE, record_base DOUBLE, line_base DOUBLE)`];
  for (let i = 0; i < rows.length; i += 1000) {
    statements.push(`INSERT INTO ${CHUNK_OFFSETS} VALUES ${rows.slice(i, i + 1000).join(', ')}`);
  }
  return statements;
}

/** The UTC days (days since 1970-01-01) the staged orders fall on. */
export function stagedDaysSql(): string {
  return `SELECT DISTINCT CAST(day AS BIGINT) AS day FROM ${STAGING_ORDERS} ORDER BY day`;
}

// Input order across threads: by chunk, then by record within the chunk.
const FIRST_COPY = 'row_number() OVER (PARTITION BY order_id, updated_ts ORDER BY chunk_id, record_no)';

/** Later copies of an order version (same order_id and updated_at), with the line of the first copy. */
export function findDuplicatesSql(): string {
  return `SELECT CAST(record_no + record_base AS BIGINT) AS record_no,
  CAST(min(first_line + line_base) OVER (PARTITION BY order_id, updated_ts) AS BIGINT) AS original_line
FROM ${STAGING_ORDERS} JOIN ${CHUNK_OFFSETS} USING (chunk_id)
QUALIFY ${FIRST_COPY} > 1
ORDER BY record_no`;
}

/**
 * Writes one dataset's rows for one UTC day to one Parquet file, keeping only the first copy of a
 * duplicated order version. One day at a time keeps a single row group in memory per write, where
 * a partitioned write would hold one per open partition.
 */
export function copyDaySql(dataset: DatasetSpec, day: number, file: string, options: ParquetOptions): string {
  const columns = dataset.columns.map((column) => `  ${column.sql} AS ${quoteIdentifier(column.name)}`);
  const onDay = `day = ${Math.trunc(day)}`;
  const items =
    dataset.grain === 'item'
      ? `\nJOIN ${STAGING_ITEMS} AS i ON i.chunk_id = o.chunk_id AND i.record_no = o.record_no AND i.${onDay}`
      : '';
  return `COPY (
WITH o AS (SELECT * FROM ${STAGING_ORDERS} WHERE ${onDay} QUALIFY ${FIRST_COPY} = 1)
SELECT
${columns.join(',\n')}
FROM o${items}
) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION ${quoteLiteral(options.compression)}, ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)})`;
}
