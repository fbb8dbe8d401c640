import {
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  VARCHAR,
} from '@duckdb/node-api';
import type { SourceRecord } from '../inputs/records.js';
import type { NormalizedOrder } from '../validate/order.js';
import { createStagingSql, STAGING_ITEMS, STAGING_ORDERS } from './sql.js';

// DuckDB's vector size: a chunk of this many rows is appended in one call.
const CHUNK_ROWS = 2048;

const ORDER_TYPES: readonly DuckDBType[] = [
  DOUBLE, DOUBLE, DOUBLE,
  DOUBLE, DOUBLE, DOUBLE, VARCHAR, VARCHAR,
  DOUBLE, VARCHAR, VARCHAR, VARCHAR, VARCHAR,
  INTEGER, DOUBLE,
  DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE,
  BOOLEAN, VARCHAR,
];
const ITEM_TYPES: readonly DuckDBType[] = [DOUBLE, INTEGER, VARCHAR, VARCHAR, VARCHAR, INTEGER, DOUBLE, DOUBLE];

/** Column buffers for one table, appended to DuckDB a chunk at a time. */
class ChunkedTable {
  #columns: DuckDBValue[][];
  #rows = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly DuckDBType[],
  ) {
    this.#columns = types.map(() => []);
  }

  /** The buffers to push one row into; call `rowAdded()` after. */
  get columns(): DuckDBValue[][] {
    return this.#columns;
  }

  rowAdded(): void {
    this.#rows += 1;
    if (this.#rows === CHUNK_ROWS) this.flush();
  }

  flush(): void {
    if (this.#rows === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.#rows);
    chunk.setColumns(this.#columns);
    this.appender.appendDataChunk(chunk);
    this.#columns = this.types.map(() => []);
    this.#rows = 0;
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }
}

/**
 * Validated orders of one input, staged in DuckDB temp tables (which spill to disk past the memory
 * limit) until the input has been read completely and can be written as Parquet.
 */
export class Staging {
  private constructor(
    private readonly orders: ChunkedTable,
    private readonly items: ChunkedTable,
  ) {}

  static async create(connection: DuckDBConnection): Promise<Staging> {
    for (const sql of createStagingSql()) await connection.run(sql);
    return new Staging(
      new ChunkedTable(await connection.createAppender(STAGING_ORDERS), ORDER_TYPES),
      new ChunkedTable(await connection.createAppender(STAGING_ITEMS), ITEM_TYPES),
    );
  }

  add(order: NormalizedOrder, source: SourceRecord): void {
    let totalQuantity = 0;
    for (const item of order.items) {
      totalQuantity += item.quantity;
      // Re-read after every row: a full chunk is flushed and its buffers replaced.
      const items = this.items.columns;
      items[0]?.push(source.record);
      items[1]?.push(item.lineNumber);
      items[2]?.push(item.sku);
      items[3]?.push(item.productName);
      items[4]?.push(item.category);
      items[5]?.push(item.quantity);
      items[6]?.push(item.unitPriceCents);
      items[7]?.push(item.lineTotalCents);
      this.items.rowAdded();
    }
    const values: DuckDBValue[] = [
      source.record,
      source.firstLine,
      source.lastLine,
      order.orderId,
      order.orderDateMicros,
      order.updatedAtMicros,
      order.status,
      order.currency,
      order.customerId,
      order.customerName,
      order.customerEmail,
      order.customerCountry,
      order.customerSegment,
      order.items.length,
      totalQuantity,
      order.subtotalCents,
      order.discountCents,
      order.taxCents,
      order.shippingCents,
      order.totalCents,
      order.isGift,
      order.couponCode,
    ];
    const columns = this.orders.columns;
    for (let i = 0; i < values.length; i++) columns[i]?.push(values[i] ?? null);
    this.orders.rowAdded();
  }

  close(): void {
    this.orders.close();
    this.items.close();
  }
}
