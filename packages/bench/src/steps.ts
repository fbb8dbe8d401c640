// One measured step per child process, so each step's peak RSS is its own. Prints one JSON line.
// Each step imports what it uses when it runs, so no step pays for another's modules in memory.
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { OrderRecord } from '@lakeload/orders';

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

interface ItemRow {
  order_id: number;
  line_number: number;
  updated_at: number;
  sku: string;
  product_name: string;
  category: string;
  quantity: number;
  unit_price: number;
  line_total: number;
}

const cents = (money: string) => Number(money.replace('.', ''));

async function readItems(input: string, limit: number): Promise<ItemRow[]> {
  const rows: ItemRow[] = [];
  for await (const line of createInterface({ input: createReadStream(input) })) {
    const order = JSON.parse(line) as OrderRecord;
    for (const item of order.items) {
      rows.push({
        order_id: order.order_id,
        line_number: item.line_number,
        updated_at: Date.parse(order.updated_at) * 1000,
        sku: item.sku,
        product_name: item.product_name,
        category: item.category,
        quantity: item.quantity,
        unit_price: cents(item.unit_price),
        line_total: cents(item.line_total),
      });
      if (rows.length === limit) return rows;
    }
  }
  return rows;
}

const steps: Record<string, (args: Record<string, string>) => Promise<Record<string, number | string>>> = {
  async generate({ file = '', orders = '0', seed = '1' }) {
    const { generateOrdersFile } = await import('@lakeload/orders');
    const { ms, value } = await timed(() =>
      generateOrdersFile(file, { orders: Number(orders), seed, days: 30 }),
    );
    return { ms, records: value.records, lineItems: value.lineItems, bytes: value.bytes };
  },

  async convert({ input = '', out = '' }) {
    const { convert } = await import('@lakeload/convert');
    await rm(out, { recursive: true, force: true });
    const { ms, value } = await timed(() => convert({ inputs: [input], outDir: out }));
    if (value.failedInputs > 0) throw new Error(value.inputs[0]?.error ?? 'conversion failed');
    return {
      ms,
      records: value.records,
      lineItems: value.datasets.order_items.rows,
      files: value.datasets.order_items.files,
    };
  },

  async baseline({ input = '', out = '' }) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { baselineSql } = await import('./baseline.js');
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    let lineItems = 0;
    const { ms } = await timed(async () => {
      const plan = baselineSql(input, out);
      for (const sql of plan.setup) await connection.run(sql);
      for (const { dataset, sql } of plan.copies) {
        const reader = await connection.runAndReadAll(sql);
        if (dataset === 'order_items') lineItems = Number(reader.getRows()[0]?.[0] ?? 0);
      }
    });
    connection.closeSync();
    instance.closeSync();
    return { ms, lineItems };
  },

  async parquetjs({ input = '', rows = '0', out = '' }) {
    const { default: parquet } = await import('@dsnp/parquetjs');
    const { DuckDBDataChunk, DuckDBInstance, DOUBLE, VARCHAR } = await import('@duckdb/node-api');
    const { quoteLiteral } = await import('@lakeload/convert');
    await mkdir(out, { recursive: true });
    const items = await readItems(input, Number(rows));
    const schema = new parquet.ParquetSchema({
      order_id: { type: 'INT64' },
      line_number: { type: 'INT32' },
      updated_at: { type: 'TIMESTAMP_MICROS' },
      sku: { type: 'UTF8' },
      product_name: { type: 'UTF8' },
      category: { type: 'UTF8' },
      quantity: { type: 'INT32' },
      unit_price: { type: 'DECIMAL', precision: 12, scale: 2 },
      line_total: { type: 'DECIMAL', precision: 12, scale: 2 },
    });
    const parquetjs = await timed(async () => {
      const writer = await parquet.ParquetWriter.openFile(schema, join(out, 'parquetjs.parquet'));
      writer.setRowGroupSize(122_880);
      for (const row of items) await writer.appendRow({ ...row });
      await writer.close();
    });
    // DuckDB's fastest path from JavaScript rows: columns appended a chunk at a time, then one COPY
    // that casts to the same Parquet types as above.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const numeric = [
      'order_id',
      'line_number',
      'updated_at',
      'quantity',
      'unit_price',
      'line_total',
    ] as const;
    const text = ['sku', 'product_name', 'category'] as const;
    const duckdb = await timed(async () => {
      await connection.run(
        `CREATE TABLE items (${[...numeric.map((name) => `${name} DOUBLE`), ...text.map((name) => `${name} VARCHAR`)].join(', ')})`,
      );
      const appender = await connection.createAppender('items');
      const types = [...numeric.map(() => DOUBLE), ...text.map(() => VARCHAR)];
      for (let start = 0; start < items.length; start += 2048) {
        const slice = items.slice(start, start + 2048);
        const chunk = DuckDBDataChunk.create(types, slice.length);
        chunk.setColumns([
          ...numeric.map((name) => slice.map((row) => row[name])),
          ...text.map((name) => slice.map((row) => row[name])),
        ]);
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      const money = (name: string) =>
        `CAST(CAST(${name} AS BIGINT) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(12,2)) AS ${name}`;
      await connection.run(`COPY (SELECT CAST(order_id AS BIGINT) AS order_id, CAST(line_number AS INTEGER) AS line_number,
  make_timestamptz(CAST(updated_at AS BIGINT)) AS updated_at, sku, product_name, category,
  CAST(quantity AS INTEGER) AS quantity, ${money('unit_price')}, ${money('line_total')}
FROM items) TO ${quoteLiteral(join(out, 'duckdb.parquet'))} (FORMAT parquet, COMPRESSION 'snappy')`);
    });
    connection.closeSync();
    instance.closeSync();
    return { rows: items.length, parquetjsMs: parquetjs.ms, duckdbMs: duckdb.ms };
  },
};

const [name = '', json = '{}'] = process.argv.slice(2);
const step = steps[name];
if (!step) {
  process.stderr.write(`unknown step "${name}"\n`);
  process.exit(2);
}
const result = await step(JSON.parse(json) as Record<string, string>);
process.stdout.write(`${JSON.stringify({ ...result, maxRssMb: maxRssMb() })}\n`);
