// Validated orders go to DuckDB as column batches: numbers in typed arrays, strings in plain arrays.
import type { SourceRecord } from '../inputs/records.js';
import { validateOrder } from '../validate/order.js';

/** Numeric staging columns of an order, in staging-table order (see output/sql.ts). */
export const ORDER_NUMBERS = [
  'record_no',
  'first_line',
  'last_line',
  'order_id',
  'order_ts',
  'updated_ts',
  'day',
  'customer_id',
  'item_count',
  'total_quantity',
  'subtotal',
  'discount',
  'tax',
  'shipping',
  'total',
] as const;
export const ORDER_STRINGS = [
  'status',
  'currency',
  'customer_name',
  'customer_email',
  'customer_country',
  'customer_segment',
  'coupon_code',
] as const;
export const ITEM_NUMBERS = ['record_no', 'day', 'line_number', 'quantity', 'unit_price', 'line_total'] as const;
export const ITEM_STRINGS = ['sku', 'product_name', 'category'] as const;

export interface RejectedRecord {
  record: number;
  firstLine: number;
  lastLine: number;
  problems: string[];
  raw: string;
}

export interface ColumnBatch {
  rows: number;
  numbers: Float64Array[];
  strings: (string | null)[][];
}

export interface StagedBatch {
  orders: ColumnBatch & { isGift: Uint8Array };
  items: ColumnBatch;
  rejects: RejectedRecord[];
  /** Records and lines this batch covers, so the next batch's numbers can follow on. */
  records: number;
  lines: number;
}

const MICROS_PER_DAY = 86_400_000_000;

/** Collects validated orders and rejects of one batch of records. */
export class BatchBuilder {
  readonly #orderNumbers: number[][] = ORDER_NUMBERS.map(() => []);
  readonly #orderStrings: (string | null)[][] = ORDER_STRINGS.map(() => []);
  readonly #isGift: number[] = [];
  readonly #itemNumbers: number[][] = ITEM_NUMBERS.map(() => []);
  readonly #itemStrings: string[][] = ITEM_STRINGS.map(() => []);
  readonly #rejects: RejectedRecord[] = [];

  add(source: SourceRecord): void {
    const validation = validateOrder(source.value, source.problems);
    if (!validation.ok) {
      const { record, firstLine, lastLine, raw } = source;
      this.#rejects.push({ record, firstLine, lastLine, problems: validation.problems, raw });
      return;
    }
    const order = validation.order;
    const day = Math.floor(order.orderDateMicros / MICROS_PER_DAY);
    let totalQuantity = 0;
    const [iRecord, iDay, iLine, iQuantity, iPrice, iTotal] = this.#itemNumbers as [
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    const [iSku, iName, iCategory] = this.#itemStrings as [string[], string[], string[]];
    for (const item of order.items) {
      totalQuantity += item.quantity;
      iRecord.push(source.record);
      iDay.push(day);
      iLine.push(item.lineNumber);
      iQuantity.push(item.quantity);
      iPrice.push(item.unitPriceCents);
      iTotal.push(item.lineTotalCents);
      iSku.push(item.sku);
      iName.push(item.productName);
      iCategory.push(item.category);
    }
    const numbers = [
      source.record,
      source.firstLine,
      source.lastLine,
      order.orderId,
      order.orderDateMicros,
      order.updatedAtMicros,
      day,
      order.customerId,
      order.items.length,
      totalQuantity,
      order.subtotalCents,
      order.discountCents,
      order.taxCents,
      order.shippingCents,
      order.totalCents,
    ];
    numbers.forEach((value, index) => this.#orderNumbers[index]?.push(value));
    const strings = [
      order.status,
      order.currency,
      order.customerName,
      order.customerEmail,
      order.customerCountry,
      order.customerSegment,
      order.couponCode,
    ];
    strings.forEach((value, index) => this.#orderStrings[index]?.push(value));
    this.#isGift.push(order.isGift ? 1 : 0);
  }

  finish(records: number, lines: number): StagedBatch {
    return {
      orders: {
        rows: this.#isGift.length,
        numbers: this.#orderNumbers.map((column) => Float64Array.from(column)),
        strings: this.#orderStrings,
        isGift: Uint8Array.from(this.#isGift),
      },
      items: {
        rows: this.#itemNumbers[0]?.length ?? 0,
        numbers: this.#itemNumbers.map((column) => Float64Array.from(column)),
        strings: this.#itemStrings,
      },
      rejects: this.#rejects,
      records,
      lines,
    };
  }
}
