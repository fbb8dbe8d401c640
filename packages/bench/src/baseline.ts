// The engine baseline: DuckDB alone reads the same JSONL and writes the same three datasets, with
// the same column types and day partitions, through its own bulk path (read_json → COPY). No
// validation, no rejects: the fastest this engine can turn the input into these files.
import { quoteLiteral } from '@lakeload/commons';

const ORDER_COLUMNS = `order_id,
  CAST(order_date AS TIMESTAMPTZ) AS order_date,
  CAST(CAST(order_date AS TIMESTAMPTZ) AS DATE) AS order_day,
  CAST(updated_at AS TIMESTAMPTZ) AS updated_at,
  status, currency,
  customer.customer_id AS customer_id, customer.name AS customer_name, customer.email AS customer_email,
  customer.country AS customer_country, customer.segment AS customer_segment,
  CAST(len(items) AS INTEGER) AS item_count,
  CAST(list_sum([item.quantity FOR item IN items]) AS BIGINT) AS total_quantity,
  CAST(subtotal AS DECIMAL(12,2)) AS subtotal, CAST(discount AS DECIMAL(12,2)) AS discount,
  CAST(tax AS DECIMAL(12,2)) AS tax, CAST(shipping AS DECIMAL(12,2)) AS shipping,
  CAST(total AS DECIMAL(12,2)) AS total, is_gift, coupon_code`;
const ITEM_COLUMNS = `i.line_number, i.sku, i.product_name, i.category, i.quantity,
  CAST(i.unit_price AS DECIMAL(12,2)) AS unit_price, CAST(i.line_total AS DECIMAL(12,2)) AS line_total`;
const PARTITIONS = `strftime(CAST(order_date AS TIMESTAMPTZ), '%Y') AS "year",
  strftime(CAST(order_date AS TIMESTAMPTZ), '%m') AS "month",
  strftime(CAST(order_date AS TIMESTAMPTZ), '%d') AS "day"`;

export interface BaselinePlan {
  setup: string[];
  copies: { dataset: string; sql: string }[];
}

export function baselineSql(input: string, out: string): BaselinePlan {
  const copy = (dataset: string, select: string) => ({
    dataset,
    sql: `COPY (${select}) TO ${quoteLiteral(`${out}/${dataset}`)} (FORMAT parquet, COMPRESSION 'snappy', PARTITION_BY ("year", "month", "day"))`,
  });
  return {
    setup: [
      "SET TimeZone = 'UTC'",
      `CREATE TABLE src AS SELECT * FROM read_json(${quoteLiteral(input)}, format = 'newline_delimited')`,
    ],
    copies: [
      copy('order_summary', `SELECT ${ORDER_COLUMNS}, ${PARTITIONS} FROM src`),
      copy(
        'order_items',
        `SELECT order_id, i.line_number, CAST(updated_at AS TIMESTAMPTZ) AS updated_at, i.sku, i.product_name, i.category, i.quantity,
  CAST(i.unit_price AS DECIMAL(12,2)) AS unit_price, CAST(i.line_total AS DECIMAL(12,2)) AS line_total, ${PARTITIONS}
FROM src, unnest(items) AS u(i)`,
      ),
      copy(
        'order_flattened',
        `SELECT ${ORDER_COLUMNS}, ${ITEM_COLUMNS}, ${PARTITIONS} FROM src, unnest(items) AS u(i)`,
      ),
    ],
  };
}
