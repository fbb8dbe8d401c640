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

/**
 * One dataset's Parquet files in a converted lake, oldest day first; `half` takes the older or the
 * newer half of them (the populated-table runs load the first before timing the second).
 */
async function datasetFiles(lake: string, dataset: string, half = 'all'): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(lake, { recursive: true }))
    .filter((file) => file.endsWith('.parquet') && file.includes(`/${dataset}/`))
    .sort()
    .map((file) => join(lake, file));
  const middle = Math.ceil(files.length / 2);
  return half === 'first' ? files.slice(0, middle) : half === 'second' ? files.slice(middle) : files;
}

/** The same files as one DuckDB read, their own columns only (folder names such as year=2025 are not read as columns, nor by the loader). */
async function datasetSource(lake: string, dataset: string, half = 'all'): Promise<string> {
  const { quoteLiteral } = await import('@lakeload/convert');
  const files = await datasetFiles(lake, dataset, half);
  return `read_parquet([${files.map((file) => quoteLiteral(file)).join(', ')}], hive_partitioning = false)`;
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

  /**
   * The loader upserting a dataset's files into a fresh warehouse, against the engine's bulk path;
   * with `populated`, into one that holds the older half of them already (timed: the newer half).
   */
  async loader({ lake = '', dataset = '', warehouse = '', populated = '' }) {
    const { Loader, localObjects, localStore, openWarehouse } = await import('@lakeload/loader');
    const driver = await openWarehouse(warehouse);
    // Objects are listed (and their ETags computed) before the clock starts, as an event carries them.
    const load = async (objects: Awaited<ReturnType<typeof localObjects>>) => {
      // The files arrive together, as a listing or a backlog does: the loader batches them.
      const results = await new Loader({ driver }).loadObjects(
        objects.map((object) => object.ref),
        localStore(),
      );
      let rows = 0;
      for (const result of results) {
        if (result.status !== 'loaded')
          throw new Error(`${result.uri}: ${result.status === 'failed' ? result.error : result.status}`);
        rows += result.inserted + result.updated + result.unchanged;
      }
      return rows;
    };
    if (populated) await load(await localObjects(await datasetFiles(lake, dataset, 'first')));
    const files = await datasetFiles(lake, dataset, populated ? 'second' : 'all');
    const objects = await localObjects(files);
    const { ms, value: rows } = await timed(() => load(objects));
    await driver.close();
    return { ms, rows, files: files.length };
  },

  /**
   * DuckDB's own bulk path on the same files: INSERT INTO t SELECT * FROM read_parquet(…), into a
   * fresh database file set up as the loader's warehouse is, committed; with `populated`, into a
   * table that holds the older half already.
   */
  async duckdbBulk({ lake = '', dataset = '', database = '', populated = '' }) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    await rm(database, { force: true });
    // The loader's warehouse settings (see its DuckDB driver), so that only the paths differ.
    const instance = await DuckDBInstance.create(database, { preserve_insertion_order: 'false' });
    const connection = await instance.connect();
    const files = await datasetSource(lake, dataset, populated ? 'second' : 'all');
    if (populated)
      await connection.run(`CREATE TABLE t AS SELECT * FROM ${await datasetSource(lake, dataset, 'first')}`);
    let rows = 0;
    const { ms } = await timed(async () => {
      if (!populated) await connection.run(`CREATE TABLE t AS SELECT * FROM ${files} LIMIT 0`);
      rows = Number((await connection.run(`INSERT INTO t SELECT * FROM ${files}`)).rowsChanged);
    });
    connection.closeSync();
    instance.closeSync();
    return { ms, rows };
  },

  /**
   * PostgreSQL's own bulk path on the same rows: COPY … FROM STDIN into a plain table; with
   * `populated`, into one that holds the older half already.
   */
  async postgresBulk({ lake = '', dataset = '', url = '', populated = '' }) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { default: pg } = await import('pg');
    const { from: copyFrom } = await import('pg-copy-streams');
    const { once } = await import('node:events');
    const instance = await DuckDBInstance.create(':memory:');
    const reader = await instance.connect();
    await reader.run("SET TimeZone = 'UTC'");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const all = await datasetSource(lake, dataset);
    const described = (await reader.runAndReadAll(`DESCRIBE SELECT * FROM ${all}`)).getRowObjectsJson();
    const pgType = (duck: string) =>
      ({
        BIGINT: 'bigint',
        INTEGER: 'integer',
        VARCHAR: 'text',
        BOOLEAN: 'boolean',
        DATE: 'date',
        'TIMESTAMP WITH TIME ZONE': 'timestamptz',
      })[duck] ?? (duck.startsWith('DECIMAL') ? duck.replace('DECIMAL', 'numeric') : 'text');
    await client.query('DROP TABLE IF EXISTS bulk_copy');
    await client.query(
      `CREATE TABLE bulk_copy (${described.map((c) => `"${c.column_name}" ${pgType(String(c.column_type))}`).join(', ')})`,
    );
    // The cheapest correct COPY text: only text columns can hold a backslash, tab or newline.
    const line = described
      .map((c) =>
        String(c.column_type) === 'VARCHAR'
          ? `coalesce(replace(replace(replace(CAST("${c.column_name}" AS VARCHAR), '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), '\\N')`
          : `coalesce(CAST("${c.column_name}" AS VARCHAR), '\\N')`,
      )
      .join(' || chr(9) || ');
    const copy = async (files: string) => {
      let rows = 0;
      const result = await reader.stream(`SELECT ${line} FROM ${files}`);
      const stream = client.query(copyFrom('COPY bulk_copy FROM STDIN'));
      const finished = once(stream, 'finish');
      for (
        let chunk = await result.fetchChunk();
        chunk && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        const lines = chunk.getColumnValues(0) as string[];
        rows += lines.length;
        if (!stream.write(`${lines.join('\n')}\n`)) await once(stream, 'drain');
      }
      stream.end();
      await finished;
      return rows;
    };
    if (populated) await copy(await datasetSource(lake, dataset, 'first'));
    const timedFiles = populated ? await datasetSource(lake, dataset, 'second') : all;
    const { ms, value: rows } = await timed(() => copy(timedFiles));
    await client.query('DROP TABLE bulk_copy');
    await client.end();
    reader.closeSync();
    instance.closeSync();
    return { ms, rows };
  },

  /**
   * One large Parquet file shaped like order_items, written by DuckDB with incompressible text so
   * that its size is its rows' (kept in the bench folder and reused).
   */
  async writeBigParquet({ path = '', rows = '0' }) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { quoteLiteral } = await import('@lakeload/convert');
    const { existsSync, statSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    if (!existsSync(path)) {
      await mkdir(dirname(path), { recursive: true });
      const instance = await DuckDBInstance.create(':memory:', { memory_limit: '1GB' });
      const connection = await instance.connect();
      await connection.run(`COPY (SELECT range // 4 AS order_id, CAST(range % 4 + 1 AS INTEGER) AS line_number,
  TIMESTAMPTZ '2025-11-01 00:00:00+00' + INTERVAL (range % 2592000) SECOND AS updated_at,
  'SKU-' || md5(CAST(range AS VARCHAR))[1:10] AS sku, md5(CAST(range * 7 AS VARCHAR)) AS product_name,
  'category-' || CAST(range % 40 AS VARCHAR) AS category, CAST(range % 9 + 1 AS INTEGER) AS quantity,
  CAST((range % 100000) / 100 AS DECIMAL(12,2)) AS unit_price, CAST((range % 300000) / 100 AS DECIMAL(12,2)) AS line_total
FROM range(${Number(rows)})) TO ${quoteLiteral(`${path}.partial`)} (FORMAT parquet, COMPRESSION 'snappy')`);
      connection.closeSync();
      instance.closeSync();
      const { rename } = await import('node:fs/promises');
      await rename(`${path}.partial`, path);
    }
    return { bytes: statSync(path).size };
  },

  /** The loader upserting one large Parquet file into PostgreSQL: rows stream, memory stays flat. */
  async loadBig({ path = '', url = '' }) {
    const { Loader, localObject, openWarehouse } = await import('@lakeload/loader');
    const { basename, dirname } = await import('node:path');
    const driver = await openWarehouse(url);
    const ref = await localObject(dirname(dirname(path)), join(basename(dirname(path)), basename(path)));
    const { ms, value } = await timed(() => new Loader({ driver }).loadFile(ref, path));
    await driver.close();
    if (value.status !== 'loaded')
      throw new Error(`${path}: ${value.status === 'failed' ? value.error : value.status}`);
    return { ms, rows: value.inserted + value.updated + value.unchanged };
  },

  /** Many small files, one event each: latency from event to committed load, per file. */
  async smallFiles({ dir = '', files = '200', rows = '1000', warehouse = '' }) {
    const { mkdir } = await import('node:fs/promises');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { Loader, localObject, openWarehouse } = await import('@lakeload/loader');
    const writer = await DuckDBInstance.create(':memory:');
    const connection = await writer.connect();
    await mkdir(join(dir, 'events'), { recursive: true });
    for (let i = 0; i < Number(files); i++) {
      await connection.run(
        `COPY (SELECT ${i} * ${rows} + range AS event_id, TIMESTAMPTZ '2025-11-13 00:00:00+00' + INTERVAL (range) SECOND AS updated_at, 'page-' || (range % 50) AS page FROM range(${rows})) TO '${join(dir, 'events', `part-${String(i).padStart(4, '0')}.parquet`)}' (FORMAT parquet)`,
      );
    }
    connection.closeSync();
    writer.closeSync();
    const driver = await openWarehouse(warehouse);
    const loader = new Loader({
      driver,
      tables: { events: { keys: ['event_id'], version: 'updated_at', contract: 'evolve' } },
    });
    const latencies: number[] = [];
    for (let i = 0; i < Number(files); i++) {
      const key = join('events', `part-${String(i).padStart(4, '0')}.parquet`);
      const { ms, value } = await timed(async () =>
        loader.loadFile(await localObject(dir, key), join(dir, key)),
      );
      if (value.status !== 'loaded') throw new Error(`${key}: ${value.status}`);
      latencies.push(ms);
    }
    await driver.close();
    latencies.sort((a, b) => a - b);
    const at = (share: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] ?? 0;
    return { files: latencies.length, p50: at(0.5), p95: at(0.95), max: at(1) };
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
