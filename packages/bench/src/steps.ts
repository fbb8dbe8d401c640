// One measured step per child process, so each step's peak RSS is its own. Prints one JSON line.
// Each step imports what it uses when it runs, so no step pays for another's modules in memory.
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
// Quoting is a few lines with no dependency of note: imported once, not per step.
import { quoteLiteral } from '@lakeload/commons';
import type { OrderRecord } from '@lakeload/orders';

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Files as one DuckDB read, their own columns only (folder names such as year=2025 are not read as columns, nor by the loader). */
async function parquetSource(files: readonly string[]): Promise<string> {
  return `read_parquet([${files.map((file) => quoteLiteral(file)).join(', ')}], hive_partitioning = false)`;
}

/** A step's file lists come newline-joined: `first` is loaded untimed (the populated runs), `timed` is timed. */
const list = (files: string | undefined) => (files ? files.split('\n') : []);

/** The key and version every compared path uses: the loader's defaults for order_items. */
const KEYS = ['order_id', 'line_number'];
const VERSION = 'updated_at';
const NEWEST = `QUALIFY row_number() OVER (PARTITION BY ${KEYS.join(', ')} ORDER BY ${VERSION} DESC) = 1`;

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

/** A database file set up as the loader's DuckDB warehouse is (see its driver), so that only the paths differ. */
async function duckdbWarehouse(database: string) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  await rm(database, { force: true });
  const instance = await DuckDBInstance.create(database, { preserve_insertion_order: 'false' });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * A PostgreSQL table shaped like the files, and COPY … FROM STDIN into it, its text made as cheaply
 * as is correct (only text columns escaped) by an in-process DuckDB reader.
 */
async function postgresTarget(url: string, files: readonly string[]) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const { once } = await import('node:events');
  const instance = await DuckDBInstance.create(':memory:');
  const reader = await instance.connect();
  await reader.run("SET TimeZone = 'UTC'");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const described = (
    await reader.runAndReadAll(`DESCRIBE SELECT * FROM ${await parquetSource(files)}`)
  ).getRowObjectsJson();
  const pgType = (duck: string) =>
    ({
      BIGINT: 'bigint',
      INTEGER: 'integer',
      VARCHAR: 'text',
      BOOLEAN: 'boolean',
      DATE: 'date',
      'TIMESTAMP WITH TIME ZONE': 'timestamptz',
    })[duck] ?? (duck.startsWith('DECIMAL') ? duck.replace('DECIMAL', 'numeric') : 'text');
  // The cheapest correct COPY text: only text columns can hold a backslash, tab or newline.
  const line = described
    .map((c) =>
      String(c.column_type) === 'VARCHAR'
        ? `coalesce(replace(replace(replace(CAST("${c.column_name}" AS VARCHAR), '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), '\\N')`
        : `coalesce(CAST("${c.column_name}" AS VARCHAR), '\\N')`,
    )
    .join(' || chr(9) || ');
  return {
    client,
    columns: described.map((c) => String(c.column_name)),
    async create(table: string, constraints: string) {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(
        `CREATE TABLE ${table} (${described.map((c) => `"${c.column_name}" ${pgType(String(c.column_type))}`).join(', ')}${constraints})`,
      );
    },
    async copy(copied: readonly string[], table: string) {
      let rows = 0;
      const result = await reader.stream(`SELECT ${line} FROM ${await parquetSource(copied)}`);
      const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
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
    },
    async close() {
      await client.end();
      reader.closeSync();
      instance.closeSync();
    },
  };
}

const steps: Record<
  string,
  (args: Record<string, string | undefined>) => Promise<Record<string, number | string>>
> = {
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

  /** The loader upserting files into a fresh warehouse; with `first`, one that holds those already. */
  async loader({ first, timed: timedFiles, warehouse = '' }) {
    const { Loader, localObjects, localStore, openWarehouse } = await import('@lakeload/loader');
    const driver = await openWarehouse(warehouse);
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
    if (first) await load(await localObjects(list(first)));
    // Objects are listed (and their ETags computed) before the clock starts, as an event carries them.
    const objects = await localObjects(list(timedFiles));
    const { ms, value: rows } = await timed(() => load(objects));
    await driver.close();
    return { ms, rows, files: objects.length };
  },

  /**
   * DuckDB's own bulk path on the same files: INSERT INTO t SELECT * FROM read_parquet(…), into a
   * fresh database file set up as the loader's warehouse is, committed; with `first`, into a table
   * that holds those files already.
   */
  async duckdbBulk({ first, timed: timedFiles, database = '' }) {
    const { connection, close } = await duckdbWarehouse(database);
    const files = await parquetSource(list(timedFiles));
    if (first) await connection.run(`CREATE TABLE t AS SELECT * FROM ${await parquetSource(list(first))}`);
    let rows = 0;
    const { ms } = await timed(async () => {
      if (!first) await connection.run(`CREATE TABLE t AS SELECT * FROM ${files} LIMIT 0`);
      rows = Number((await connection.run(`INSERT INTO t SELECT * FROM ${files}`)).rowsChanged);
    });
    close();
    return { ms, rows };
  },

  /**
   * What a user writes by hand on DuckDB for a keyed, versioned load: into a fresh table
   * `CREATE TABLE … AS SELECT … QUALIFY row_number() … = 1`; into a populated one a `MERGE INTO …
   * USING (… QUALIFY …)` that updates only with a newer version.
   */
  async duckdbHand({ first, timed: timedFiles, database = '' }) {
    const { connection, close } = await duckdbWarehouse(database);
    const newest = async (files: string) => `SELECT * FROM ${await parquetSource(list(files))} ${NEWEST}`;
    if (first) await connection.run(`CREATE TABLE t AS ${await newest(first)}`);
    const source = await newest(timedFiles ?? '');
    const on = KEYS.map((key) => `t.${key} = s.${key}`).join(' AND ');
    let rows = 0;
    const { ms } = await timed(async () => {
      const sql = first
        ? `MERGE INTO t USING (${source}) AS s ON (${on}) WHEN MATCHED AND s.${VERSION} > t.${VERSION} THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *`
        : `CREATE TABLE t AS ${source}`;
      rows = Number((await connection.run(sql)).rowsChanged);
    });
    close();
    return { ms, rows };
  },

  /**
   * PostgreSQL's own bulk path on the same rows: COPY … FROM STDIN into a plain table; with
   * `first`, into one that holds those files already.
   */
  async postgresBulk({ first, timed: timedFiles, url = '' }) {
    const target = await postgresTarget(url, list(timedFiles).concat(list(first)));
    await target.create('bulk_copy', '');
    if (first) await target.copy(list(first), 'bulk_copy');
    const { ms, value: rows } = await timed(() => target.copy(list(timedFiles), 'bulk_copy'));
    await target.close();
    return { ms, rows };
  },

  /**
   * What a user writes by hand on PostgreSQL: COPY into a temporary table, then INSERT … SELECT
   * DISTINCT ON (keys) … ON CONFLICT (keys) DO UPDATE … WHERE excluded.version > the stored one
   * (DISTINCT ON because one INSERT may not update a row twice when a key repeats in the batch).
   */
  async postgresHand({ first, timed: timedFiles, url = '' }) {
    const target = await postgresTarget(url, list(timedFiles).concat(list(first)));
    await target.create('hand_upsert', `, PRIMARY KEY (${KEYS.join(', ')})`);
    const upsert = async (files: string[]) => {
      await target.client.query('BEGIN');
      await target.client.query(`CREATE TEMPORARY TABLE incoming (LIKE hand_upsert) ON COMMIT DROP`);
      await target.copy(files, 'incoming');
      const columns = target.columns.map((column) => `"${column}"`);
      const result = await target.client.query(
        `INSERT INTO hand_upsert SELECT DISTINCT ON (${KEYS.join(', ')}) * FROM incoming ORDER BY ${KEYS.join(', ')}, ${VERSION} DESC
ON CONFLICT (${KEYS.join(', ')}) DO UPDATE SET ${columns.map((column) => `${column} = excluded.${column}`).join(', ')}
WHERE excluded.${VERSION} > hand_upsert.${VERSION}`,
      );
      await target.client.query('COMMIT');
      return result.rowCount ?? 0;
    };
    if (first) await upsert(list(first));
    const { ms, value: rows } = await timed(() => upsert(list(timedFiles)));
    await target.close();
    return { ms, rows };
  },

  /**
   * A Parquet file of `rows` order_items rows (keys from `start`, one in twenty repeated with a
   * newer version, as updates arriving in one export), written once and reused.
   */
  async writeKeyedParquet({ path = '', rows = '0', start = '0', day = '0' }) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { existsSync, statSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    const { rename } = await import('node:fs/promises');
    if (!existsSync(path)) {
      await mkdir(dirname(path), { recursive: true });
      const instance = await DuckDBInstance.create(':memory:', { memory_limit: '512MB' });
      const connection = await instance.connect();
      const distinct = Math.floor(Number(rows) * 0.95);
      await connection.run(`COPY (SELECT ${Number(start)} + (range % ${distinct}) // 4 AS order_id,
  CAST((range % ${distinct}) % 4 + 1 AS INTEGER) AS line_number,
  TIMESTAMPTZ '2025-11-01 00:00:00+00' + INTERVAL (${Number(day)}) DAY + INTERVAL (range) SECOND AS updated_at,
  'SKU-' || md5(CAST(range AS VARCHAR))[1:10] AS sku, 'product ' || CAST(range % 5000 AS VARCHAR) AS product_name,
  'category-' || CAST(range % 40 AS VARCHAR) AS category, CAST(range % 9 + 1 AS INTEGER) AS quantity,
  CAST((range % 100000) / 100 AS DECIMAL(12,2)) AS unit_price, CAST((range % 300000) / 100 AS DECIMAL(12,2)) AS line_total
FROM range(${Number(rows)})) TO ${quoteLiteral(`${path}.partial`)} (FORMAT parquet, COMPRESSION 'snappy')`);
      connection.closeSync();
      instance.closeSync();
      await rename(`${path}.partial`, path);
    }
    return { bytes: statSync(path).size };
  },

  /**
   * One large Parquet file shaped like order_items, written by DuckDB with incompressible text so
   * that its size is its rows' (kept in the bench folder and reused).
   */
  async writeBigParquet({ path = '', rows = '0' }) {
    const { DuckDBInstance } = await import('@duckdb/node-api');
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
