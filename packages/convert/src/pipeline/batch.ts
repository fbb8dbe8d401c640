// Validation splits each batch of records into rejects and valid records. Valid records are spooled
// as JSON lines for DuckDB to load, each wrapped with where it came from:
//   {"c":<chunk>,"r":<record>,"f":<first line>,"l":<last line>,"o":<the order as JSON>}
// The order is the input line itself where DuckDB is sure to read it as the validator did (a JSONL
// line without \u escapes), and otherwise the validated values written out again in canonical form.
import { formatCents } from '@lakeload/orders';
import type { SourceRecord } from '../inputs/records.js';
import { type NormalizedOrder, validateOrder } from '../validate/order.js';

export interface RejectedRecord {
  record: number;
  firstLine: number;
  lastLine: number;
  problems: string[];
  raw: string;
}

export interface ValidatedBatch {
  /** Spool lines of the valid records, newline-terminated. */
  spool: string;
  records: number;
  rejects: RejectedRecord[];
}

function isoMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  return `${new Date(millis).toISOString().slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** The order in the contract's own JSON form, from the validated values. */
function canonicalJson(order: NormalizedOrder): string {
  return JSON.stringify({
    order_id: order.orderId,
    order_date: isoMicros(order.orderDateMicros),
    updated_at: isoMicros(order.updatedAtMicros),
    status: order.status,
    currency: order.currency,
    customer: {
      customer_id: order.customerId,
      name: order.customerName,
      email: order.customerEmail,
      country: order.customerCountry,
      segment: order.customerSegment,
    },
    items: order.items.map((item) => ({
      line_number: item.lineNumber,
      sku: item.sku,
      product_name: item.productName,
      category: item.category,
      quantity: item.quantity,
      unit_price: formatCents(item.unitPriceCents),
      line_total: formatCents(item.lineTotalCents),
    })),
    subtotal: formatCents(order.subtotalCents),
    discount: formatCents(order.discountCents),
    tax: formatCents(order.taxCents),
    shipping: formatCents(order.shippingCents),
    total: formatCents(order.totalCents),
    is_gift: order.isGift,
    coupon_code: order.couponCode,
  });
}

/**
 * How valid records are written to the spool: `raw` keeps a JSONL line as it stands where that is
 * safe, `canonical` always rewrites (the fallback when DuckDB refuses a raw line, e.g. one that
 * repeats a key, where JSON.parse keeps the last value and DuckDB would not).
 */
export type SpoolMode = 'raw' | 'canonical';

// The decoders put U+FFFD where the input's bytes are not UTF-8.
const NOT_UTF8 =
  'record: contains bytes that are not valid UTF-8 (shown as \uFFFD); export the file as UTF-8';

/**
 * Validates records; the valid ones come back as spool text, the others as rejects. Records are
 * consumed one at a time, so a lazy source keeps only one parsed record alive.
 */
export function validateBatch(
  records: Iterable<SourceRecord>,
  chunkId: number,
  mode: SpoolMode,
): ValidatedBatch {
  const spool: string[] = [];
  const rejects: RejectedRecord[] = [];
  let count = 0;
  for (const source of records) {
    count += 1;
    const known = source.raw.includes('\uFFFD') ? [...source.problems, NOT_UTF8] : source.problems;
    const validation = validateOrder(source.value, known);
    if (validation.ok) {
      // An escape may hide a broken surrogate in a field outside the contract, which DuckDB refuses.
      const json =
        mode === 'raw' && !source.raw.includes('\\u') ? source.raw : canonicalJson(validation.order);
      spool.push(
        `{"c":${chunkId},"r":${source.record},"f":${source.firstLine},"l":${source.lastLine},"o":${json}}\n`,
      );
    } else {
      const { record, firstLine, lastLine, raw } = source;
      rejects.push({ record, firstLine, lastLine, problems: validation.problems, raw });
    }
  }
  return { spool: spool.join(''), records: count, rejects };
}
