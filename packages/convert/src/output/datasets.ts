import { money as moneySql } from './sql.js';

// The three Parquet datasets: each column with its exact type and the expression that fills it.
// The package README's type table documents the same list.

export type DatasetName = 'order_summary' | 'order_items' | 'order_flattened';

export interface ColumnSpec {
  name: string;
  /** DuckDB type written to Parquet. */
  type: string;
  /** The expression that fills it. */
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

// Expressions over the staged table (alias `o`, see sql.ts) and, for line items, its unnested
// `items` (alias `i`).
const column = (name: string, type: string, sql = `o.${name}`): ColumnSpec => ({ name, type, sql });
const text = (name: string) => column(name, 'VARCHAR');
const money = (name: string) => column(name, 'DECIMAL(12,2)');
const itemMoney = (name: string) => column(name, 'DECIMAL(12,2)', moneySql(`i.${name}`));
const TIMESTAMP_UTC = 'TIMESTAMP WITH TIME ZONE';

const ORDER_ID = column('order_id', 'BIGINT');
const UPDATED_AT = column('updated_at', TIMESTAMP_UTC);

const ORDER_COLUMNS: readonly ColumnSpec[] = [
  ORDER_ID,
  column('order_date', TIMESTAMP_UTC),
  column('order_day', 'DATE'),
  UPDATED_AT,
  text('status'),
  text('currency'),
  column('customer_id', 'BIGINT'),
  text('customer_name'),
  text('customer_email'),
  text('customer_country'),
  text('customer_segment'),
  column('item_count', 'INTEGER'),
  column('total_quantity', 'BIGINT'),
  money('subtotal'),
  money('discount'),
  money('tax'),
  money('shipping'),
  money('total'),
  column('is_gift', 'BOOLEAN'),
  text('coupon_code'),
];

const LINE_NUMBER = column('line_number', 'INTEGER', 'i.line_number');
const ITEM_COLUMNS: readonly ColumnSpec[] = [
  column('sku', 'VARCHAR', 'i.sku'),
  column('product_name', 'VARCHAR', 'i.product_name'),
  column('category', 'VARCHAR', 'i.category'),
  column('quantity', 'INTEGER', 'i.quantity'),
  itemMoney('unit_price'),
  itemMoney('line_total'),
];

export const DATASETS: readonly DatasetSpec[] = [
  { name: 'order_summary', grain: 'order', key: ['order_id'], columns: ORDER_COLUMNS },
  {
    name: 'order_items',
    grain: 'item',
    key: ['order_id', 'line_number'],
    columns: [ORDER_ID, LINE_NUMBER, UPDATED_AT, ...ITEM_COLUMNS],
  },
  {
    name: 'order_flattened',
    grain: 'item',
    key: ['order_id', 'line_number'],
    columns: [...ORDER_COLUMNS, LINE_NUMBER, ...ITEM_COLUMNS],
  },
];

export const DATASET_NAMES: readonly DatasetName[] = DATASETS.map((dataset) => dataset.name);
