// The three Parquet datasets: each column with its exact type and the staging expression that fills
// it. The package README's type table documents the same list.

export type DatasetName = 'order_summary' | 'order_items' | 'order_flattened';

export interface ColumnSpec {
  name: string;
  /** DuckDB type written to Parquet. */
  type: string;
  sql: string;
}

export interface DatasetSpec {
  name: DatasetName;
  /** One row per order, or one per line item. */
  grain: 'order' | 'item';
  /** Columns that identify a row, for the loader's upsert. */
  key: readonly string[];
  columns: readonly ColumnSpec[];
}

const bigint = (sql: string) => `CAST(${sql} AS BIGINT)`;
// Cents → DECIMAL(12,2) without a float in between: multiplying by a DECIMAL literal stays exact.
const money = (table: 'o' | 'i', name: string): ColumnSpec => ({
  name,
  type: 'DECIMAL(12,2)',
  sql: `CAST(CAST(${table}.${name} AS BIGINT) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(12,2))`,
});
const utc = (sql: string) => `make_timestamptz(CAST(${sql} AS BIGINT))`;
const text = (sql: string, name: string): ColumnSpec => ({ name, type: 'VARCHAR', sql });

const ORDER_ID: ColumnSpec = { name: 'order_id', type: 'BIGINT', sql: bigint('o.order_id') };
const UPDATED_AT: ColumnSpec = { name: 'updated_at', type: 'TIMESTAMP WITH TIME ZONE', sql: utc('o.updated_ts') };

const ORDER_COLUMNS: readonly ColumnSpec[] = [
  ORDER_ID,
  { name: 'order_date', type: 'TIMESTAMP WITH TIME ZONE', sql: utc('o.order_ts') },
  { name: 'order_day', type: 'DATE', sql: 'CAST(make_timestamp(CAST(o.order_ts AS BIGINT)) AS DATE)' },
  UPDATED_AT,
  text('o.status', 'status'),
  text('o.currency', 'currency'),
  { name: 'customer_id', type: 'BIGINT', sql: bigint('o.customer_id') },
  text('o.customer_name', 'customer_name'),
  text('o.customer_email', 'customer_email'),
  text('o.customer_country', 'customer_country'),
  text('o.customer_segment', 'customer_segment'),
  { name: 'item_count', type: 'INTEGER', sql: 'o.item_count' },
  { name: 'total_quantity', type: 'BIGINT', sql: bigint('o.total_quantity') },
  money('o', 'subtotal'),
  money('o', 'discount'),
  money('o', 'tax'),
  money('o', 'shipping'),
  money('o', 'total'),
  { name: 'is_gift', type: 'BOOLEAN', sql: 'o.is_gift' },
  text('o.coupon_code', 'coupon_code'),
];

const ITEM_COLUMNS: readonly ColumnSpec[] = [
  { name: 'line_number', type: 'INTEGER', sql: 'i.line_number' },
  text('i.sku', 'sku'),
  text('i.product_name', 'product_name'),
  text('i.category', 'category'),
  { name: 'quantity', type: 'INTEGER', sql: 'i.quantity' },
  money('i', 'unit_price'),
  money('i', 'line_total'),
];

export const DATASETS: readonly DatasetSpec[] = [
  { name: 'order_summary', grain: 'order', key: ['order_id'], columns: ORDER_COLUMNS },
  {
    name: 'order_items',
    grain: 'item',
    key: ['order_id', 'line_number'],
    columns: [ORDER_ID, ...ITEM_COLUMNS.slice(0, 1), UPDATED_AT, ...ITEM_COLUMNS.slice(1)],
  },
  { name: 'order_flattened', grain: 'item', key: ['order_id', 'line_number'], columns: [...ORDER_COLUMNS, ...ITEM_COLUMNS] },
];

export const DATASET_NAMES: readonly DatasetName[] = DATASETS.map((dataset) => dataset.name);
