// Validation splits each batch of records into rejects and valid records. Valid records are spooled
// as JSON lines for DuckDB to load, in their normalized form — money in cents, timestamps in
// microseconds UTC — so that DuckDB reads exactly the values the validator accepted, never the raw
// text again. Each line also says where the record came from: chunk, record and line numbers.
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
  valid: number;
  rejects: RejectedRecord[];
}

/** One spool line; output/sql.ts reads these names back (`loadSpoolsSql`). */
function spoolLine(order: NormalizedOrder, source: SourceRecord, chunkId: number): string {
  return `${JSON.stringify({
    c: chunkId,
    r: source.record,
    f: source.firstLine,
    l: source.lastLine,
    order_id: order.orderId,
    order_date_us: order.orderDateMicros,
    updated_at_us: order.updatedAtMicros,
    status: order.status,
    currency: order.currency,
    customer_id: order.customerId,
    customer_name: order.customerName,
    customer_email: order.customerEmail,
    customer_country: order.customerCountry,
    customer_segment: order.customerSegment,
    subtotal_cents: order.subtotalCents,
    discount_cents: order.discountCents,
    tax_cents: order.taxCents,
    shipping_cents: order.shippingCents,
    total_cents: order.totalCents,
    is_gift: order.isGift,
    coupon_code: order.couponCode,
    items: order.items.map((item) => ({
      line_number: item.lineNumber,
      sku: item.sku,
      product_name: item.productName,
      category: item.category,
      quantity: item.quantity,
      unit_price_cents: item.unitPriceCents,
      line_total_cents: item.lineTotalCents,
    })),
  })}\n`;
}

// The decoders put U+FFFD where the input's bytes are not UTF-8.
const NOT_UTF8 =
  'record: contains bytes that are not valid UTF-8 (shown as \uFFFD); export the file as UTF-8';

/** Validates records; the valid ones come back as spool text, the others as rejects. */
export function validateBatch(records: readonly SourceRecord[], chunkId: number): ValidatedBatch {
  const spool: string[] = [];
  const rejects: RejectedRecord[] = [];
  for (const source of records) {
    const known = source.raw.includes('\uFFFD') ? [...source.problems, NOT_UTF8] : source.problems;
    const validation = validateOrder(source.value, known);
    if (validation.ok) {
      spool.push(spoolLine(validation.order, source, chunkId));
    } else {
      const { record, firstLine, lastLine, raw } = source;
      rejects.push({ record, firstLine, lastLine, problems: validation.problems, raw });
    }
  }
  return { spool: spool.join(''), valid: spool.length, rejects };
}
