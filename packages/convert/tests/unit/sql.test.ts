import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../src/output/datasets.js';
import {
  copyDaySql,
  deleteDuplicatesSql,
  loadSpoolsSql,
  markDuplicatesSql,
  threadsSql,
} from '../../src/output/sql.js';

const dataset = (name: string) => {
  const found = DATASETS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(name);
  return found;
};

describe('converter SQL', () => {
  it('writes one day of order_items, one row per line item', () => {
    expect(
      copyDaySql(dataset('order_items'), '2025-11-13', "/out/it's.parquet", {
        compression: 'snappy',
        rowGroupSize: 122_880,
      }),
    ).toBe(`COPY (
SELECT
  o.order_id AS "order_id",
  i.line_number AS "line_number",
  o.updated_at AS "updated_at",
  i.sku AS "sku",
  i.product_name AS "product_name",
  i.category AS "category",
  i.quantity AS "quantity",
  CAST(i.unit_price AS DECIMAL(12,2)) AS "unit_price",
  CAST(i.line_total AS DECIMAL(12,2)) AS "line_total"
FROM (SELECT * FROM staged_orders WHERE order_day = DATE '2025-11-13') AS o, unnest(o.items) AS u(i)
) TO '/out/it''s.parquet' (FORMAT parquet, COMPRESSION 'snappy', ROW_GROUP_SIZE 122880)`);
  });

  it('refuses a day that is not a date', () => {
    expect(() =>
      copyDaySql(dataset('order_summary'), "2025-11-13' OR 1=1", '/x', {
        compression: 'zstd',
        rowGroupSize: 1024,
      }),
    ).toThrow(/not a day/);
  });

  it('sets the thread count, and only to a whole number of threads', () => {
    expect(threadsSql(1)).toBe('SET threads = 1');
    expect(() => threadsSql(0)).toThrow(/not a thread count/);
    expect(() => threadsSql(1.5)).toThrow(/not a thread count/);
  });

  it('marks later copies of an order version in input order across chunks, then deletes them', () => {
    expect(markDuplicatesSql()).toBe(`CREATE OR REPLACE TEMP TABLE duplicates AS
SELECT chunk_id, record_no AS local_record_no,
  CAST(record_no + record_base AS BIGINT) AS record_no,
  CAST(min(first_line + line_base) OVER (PARTITION BY order_id, updated_at) AS BIGINT) AS original_line
FROM staged_orders JOIN chunk_offsets USING (chunk_id)
QUALIFY row_number() OVER (PARTITION BY order_id, updated_at ORDER BY chunk_id, record_no) > 1`);
    expect(deleteDuplicatesSql()).toBe(`DELETE FROM staged_orders AS s USING duplicates AS d
WHERE s.chunk_id = d.chunk_id AND s.record_no = d.local_record_no`);
  });

  it('loads every spool file with the contract types', () => {
    const sql = loadSpoolsSql(['/w/valid-0.jsonl', "/w/valid-'1.jsonl"]);
    expect(sql).toContain(
      `FROM read_json(['/w/valid-0.jsonl', '/w/valid-''1.jsonl'], format = 'newline_delimited'`,
    );
    expect(sql).toContain('CAST(o.subtotal AS DECIMAL(12,2)) AS subtotal');
    expect(sql).toContain('CAST(o.order_date AS TIMESTAMPTZ) AS order_date');
    expect(sql).toContain("NULLIF(o.coupon_code, '') AS coupon_code");
  });
});
