import {
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  VARCHAR,
} from '@duckdb/node-api';
import { ITEM_NUMBERS, ITEM_STRINGS, ORDER_NUMBERS, ORDER_STRINGS, type StagedBatch } from '../pipeline/batch.js';
import { createStagingSql, STAGING_ITEMS, STAGING_ORDERS } from './sql.js';

// DuckDB's vector size: the most rows one appended chunk can hold.
const CHUNK_ROWS = 2048;

const ORDER_TYPES: readonly DuckDBType[] = [
  DOUBLE,
  ...ORDER_NUMBERS.map(() => DOUBLE),
  ...ORDER_STRINGS.map(() => VARCHAR),
  BOOLEAN,
];
const ITEM_TYPES: readonly DuckDBType[] = [DOUBLE, ...ITEM_NUMBERS.map(() => DOUBLE), ...ITEM_STRINGS.map(() => VARCHAR)];

// Typed arrays are indexable like the value arrays the chunk API takes, and far cheaper to fill.
type Column = readonly DuckDBValue[];

function append(appender: DuckDBAppender, types: readonly DuckDBType[], columns: readonly ArrayLike<unknown>[], rows: number) {
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const end = Math.min(rows, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(types, end - start);
    chunk.setColumns(
      columns.map((column) =>
        ArrayBuffer.isView(column)
          ? ((column as Float64Array).subarray(start, end) as unknown as Column)
          : ((column as DuckDBValue[]).slice(start, end) as Column),
      ),
    );
    appender.appendDataChunk(chunk);
  }
}

export interface StagingOptions {
  memoryLimit: string;
  threads: number;
}

/**
 * A staging database file holding validated rows of one input until the whole input has been read
 * and can be written as Parquet; DuckDB spills it to disk past the memory limit.
 */
export class Staging {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly orders: DuckDBAppender,
    private readonly items: DuckDBAppender,
  ) {}

  static async open(path: string, options: StagingOptions): Promise<Staging> {
    const instance = await DuckDBInstance.create(path, {
      memory_limit: options.memoryLimit,
      threads: String(options.threads),
    });
    const connection = await instance.connect();
    for (const sql of createStagingSql()) await connection.run(sql);
    return new Staging(
      instance,
      connection,
      await connection.createAppender(STAGING_ORDERS),
      await connection.createAppender(STAGING_ITEMS),
    );
  }

  append(batch: StagedBatch, chunkId: number): void {
    const { orders, items } = batch;
    const chunkIds = (rows: number) => new Float64Array(rows).fill(chunkId);
    append(this.orders, ORDER_TYPES, [chunkIds(orders.rows), ...orders.numbers, ...orders.strings, orders.isGift], orders.rows);
    append(this.items, ITEM_TYPES, [chunkIds(items.rows), ...items.numbers, ...items.strings], items.rows);
  }

  close(): void {
    this.orders.closeSync();
    this.items.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
