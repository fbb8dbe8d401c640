import { formatCents, ORDER_STATUSES, type OrderStatus } from '@lakeload/orders';
import {
  describe,
  MAX_CENTS,
  matching,
  money,
  oneOf,
  optionalText,
  Problems,
  requiredBoolean,
  requiredId,
  requiredInteger,
  requiredText,
  timestamp,
} from './fields.js';

export interface NormalizedItem {
  lineNumber: number;
  sku: string;
  productName: string;
  category: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

/** A valid order with money in cents and timestamps in microseconds since the epoch (UTC). */
export interface NormalizedOrder {
  orderId: number;
  orderDateMicros: number;
  updatedAtMicros: number;
  status: OrderStatus;
  currency: string;
  customerId: number;
  customerName: string;
  customerEmail: string;
  customerCountry: string;
  customerSegment: string;
  subtotalCents: number;
  discountCents: number;
  taxCents: number;
  shippingCents: number;
  totalCents: number;
  isGift: boolean;
  couponCode: string | null;
  items: NormalizedItem[];
}

export type Validation = { ok: true; order: NormalizedOrder } | { ok: false; problems: string[] };

const MAX_ITEMS = 10_000;
const MAX_QUANTITY = 1_000_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateItem(value: unknown, path: string, problems: Problems): NormalizedItem | undefined {
  if (!isObject(value)) return problems.add(path, `expected an object, got ${describe(value)}`);
  const lineNumber = requiredInteger(value.line_number, `${path}.line_number`, problems, {
    min: 1,
    max: MAX_ITEMS,
  });
  const sku = requiredText(value.sku, `${path}.sku`, problems, 100);
  const productName = requiredText(value.product_name, `${path}.product_name`, problems);
  const category = requiredText(value.category, `${path}.category`, problems, 200);
  const quantity = requiredInteger(value.quantity, `${path}.quantity`, problems, {
    min: 1,
    max: MAX_QUANTITY,
  });
  const unitPriceCents = money(value.unit_price, `${path}.unit_price`, problems);
  const lineTotalCents = money(value.line_total, `${path}.line_total`, problems);
  if (
    lineNumber === undefined ||
    sku === undefined ||
    productName === undefined ||
    category === undefined ||
    quantity === undefined ||
    unitPriceCents === undefined ||
    lineTotalCents === undefined
  ) {
    return undefined;
  }
  if (unitPriceCents < 0) return problems.add(`${path}.unit_price`, 'must not be negative');
  if (unitPriceCents * quantity !== lineTotalCents) {
    return problems.add(
      `${path}.line_total`,
      `expected quantity × unit_price = ${quantity} × ${value.unit_price}`,
    );
  }
  return { lineNumber, sku, productName, category, quantity, unitPriceCents, lineTotalCents };
}

function validateItems(value: unknown, problems: Problems): NormalizedItem[] | undefined {
  if (!Array.isArray(value))
    return problems.add('items', `expected an array of line items, got ${describe(value)}`);
  if (value.length === 0) return problems.add('items', 'an order needs at least one line item');
  if (value.length > MAX_ITEMS) return problems.add('items', `more than ${MAX_ITEMS} line items`);
  const items: NormalizedItem[] = [];
  const lineNumbers = new Set<number>();
  value.forEach((raw, index) => {
    const item = validateItem(raw, `items[${index}]`, problems);
    if (!item) return;
    if (lineNumbers.has(item.lineNumber)) {
      problems.add(`items[${index}].line_number`, `${item.lineNumber} appears twice in this order`);
      return;
    }
    lineNumbers.add(item.lineNumber);
    items.push(item);
  });
  return items.length === value.length ? items : undefined;
}

function nonNegative(value: unknown, path: string, problems: Problems): number | undefined {
  const cents = money(value, path, problems);
  if (cents !== undefined && cents < 0)
    return problems.add(path, `must not be negative, got ${describe(value)}`);
  return cents;
}

/**
 * Checks one order against the contract (see the package README) and normalizes it. `known` holds
 * problems the reader already found (e.g. a CSV row with missing fields); they reject the order too.
 */
export function validateOrder(value: unknown, known: readonly string[] = []): Validation {
  const problems = new Problems();
  problems.messages.push(...known);
  if (!isObject(value)) {
    problems.add('record', `expected a JSON object for one order, got ${describe(value)}`);
    return { ok: false, problems: problems.messages };
  }
  const customer = isObject(value.customer) ? value.customer : undefined;
  if (!customer) problems.add('customer', `expected an object, got ${describe(value.customer)}`);
  const order = {
    orderId: requiredId(value.order_id, 'order_id', problems),
    orderDateMicros: timestamp(value.order_date, 'order_date', problems),
    updatedAtMicros: timestamp(value.updated_at, 'updated_at', problems),
    status: oneOf(value.status, ORDER_STATUSES, 'status', problems),
    currency: matching(
      value.currency,
      /^[A-Z]{3}$/,
      'a three-letter ISO 4217 code such as "EUR"',
      'currency',
      problems,
    ),
    customerId: customer && requiredId(customer.customer_id, 'customer.customer_id', problems),
    customerName: customer && requiredText(customer.name, 'customer.name', problems),
    customerEmail:
      customer &&
      matching(customer.email, /^[^\s@]+@[^\s@]+$/, 'an e-mail address', 'customer.email', problems),
    customerCountry:
      customer &&
      matching(
        customer.country,
        /^[A-Z]{2}$/,
        'a two-letter ISO 3166 code such as "DE"',
        'customer.country',
        problems,
      ),
    customerSegment: customer && requiredText(customer.segment, 'customer.segment', problems, 100),
    subtotalCents: nonNegative(value.subtotal, 'subtotal', problems),
    discountCents: nonNegative(value.discount, 'discount', problems),
    taxCents: nonNegative(value.tax, 'tax', problems),
    shippingCents: nonNegative(value.shipping, 'shipping', problems),
    totalCents: money(value.total, 'total', problems),
    isGift: requiredBoolean(value.is_gift, 'is_gift', problems),
    couponCode: optionalText(value.coupon_code, 'coupon_code', problems),
    items: validateItems(value.items, problems),
  };
  if (problems.messages.length > 0) return { ok: false, problems: problems.messages };
  const complete = order as NormalizedOrder;
  if (complete.updatedAtMicros < complete.orderDateMicros) {
    problems.add('updated_at', 'is earlier than order_date');
  }
  const itemsTotal = complete.items.reduce((sum, item) => sum + item.lineTotalCents, 0);
  if (itemsTotal !== complete.subtotalCents) {
    problems.add(
      'subtotal',
      `expected the sum of line totals (${formatCents(itemsTotal)}), got ${describe(value.subtotal)}`,
    );
  }
  const expectedTotal =
    complete.subtotalCents - complete.discountCents + complete.taxCents + complete.shippingCents;
  if (expectedTotal !== complete.totalCents || Math.abs(expectedTotal) > MAX_CENTS) {
    problems.add('total', `expected subtotal − discount + tax + shipping, got ${describe(value.total)}`);
  }
  return problems.messages.length > 0
    ? { ok: false, problems: problems.messages }
    : { ok: true, order: complete };
}
