// Builds the stream of order records: each order once, and for some of them a later version with a
// newer status and `updated_at`, so that downstream upserts have something to replace.
import { buildCatalog, customerAt, type Product } from './domain.js';
import { applyBasisPoints, formatCents } from './money.js';
import { Random } from './random.js';
import type { LineItemRecord, OrderRecord, OrderStatus } from './record.js';

export interface OrderStreamOptions {
  orders: number;
  seed: string;
  /** First order day, UTC. */
  startMs: number;
  days: number;
  /** Share of orders that appear again later as an updated version. */
  updateRate: number;
  customers: number;
  firstOrderId: number;
}

export interface EmittedOrder {
  record: OrderRecord;
  /** True for the later version of an order that was already emitted. */
  isUpdate: boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** An update follows its order within this many records, which bounds the memory held for them. */
const UPDATE_WINDOW = 250;

const FINAL_STATUS: readonly (readonly [OrderStatus, number])[] = [
  ['delivered', 45],
  ['shipped', 14],
  ['paid', 12],
  ['pending', 8],
  ['cancelled', 11],
  ['returned', 10],
];

function lifecycle(final: OrderStatus, random: Random): OrderStatus[] {
  switch (final) {
    case 'pending':
      return ['pending'];
    case 'paid':
      return ['pending', 'paid'];
    case 'shipped':
      return ['pending', 'paid', 'shipped'];
    case 'delivered':
      return ['pending', 'paid', 'shipped', 'delivered'];
    case 'returned':
      return ['pending', 'paid', 'shipped', 'delivered', 'returned'];
    case 'cancelled':
      return random.chance(0.5) ? ['pending', 'cancelled'] : ['pending', 'paid', 'cancelled'];
  }
}

const ITEM_COUNTS: readonly (readonly [number, number])[] = [
  [1, 34],
  [2, 27],
  [3, 18],
  [4, 10],
  [5, 6],
  [6, 3],
  [8, 2],
];
const QUANTITIES: readonly (readonly [number, number])[] = [
  [1, 60],
  [2, 24],
  [3, 8],
  [4, 4],
  [6, 2],
  [10, 2],
];
const COUPONS: readonly (readonly [string | null, number, number])[] = [
  [null, 0, 80],
  ['WELCOME10', 1000, 10],
  ['SPRING15', 1500, 6],
  ['VIP20', 2000, 4],
];

function buildItems(
  random: Random,
  catalog: readonly Product[],
): { items: LineItemRecord[]; subtotal: number } {
  const count = random.weighted(ITEM_COUNTS);
  const used = new Set<number>();
  const items: LineItemRecord[] = [];
  let subtotal = 0;
  while (items.length < count) {
    const index = random.int(0, catalog.length - 1);
    const product = catalog[index];
    if (product === undefined || used.has(index)) continue;
    used.add(index);
    const quantity = random.weighted(QUANTITIES);
    subtotal += product.unitPriceCents * quantity;
    items.push({
      line_number: items.length + 1,
      sku: product.sku,
      product_name: product.name,
      category: product.category,
      quantity,
      unit_price: formatCents(product.unitPriceCents),
      line_total: formatCents(product.unitPriceCents * quantity),
    });
  }
  return { items, subtotal };
}

interface Versions {
  first: OrderRecord;
  update: OrderRecord | undefined;
}

function buildOrder(index: number, options: OrderStreamOptions, catalog: readonly Product[]): Versions {
  const random = new Random(`${options.seed}:order:${index}`);
  const { record: customer, market } = customerAt(options.seed, random.int(0, options.customers - 1));
  const slotMs = (options.days * DAY_MS) / options.orders;
  const orderMs = options.startMs + Math.floor((index + random.float()) * slotMs);

  const { items, subtotal } = buildItems(random, catalog);
  const couponChoice = random.weighted(COUPONS.map((coupon) => [coupon, coupon[2]] as const));
  const discount = applyBasisPoints(subtotal, couponChoice[1]);
  const shipping = subtotal - discount >= 5000 ? 0 : random.pick([499, 599, 699]);
  const tax = applyBasisPoints(subtotal - discount, market.taxBasisPoints);
  const isGift = random.chance(0.07);

  const statuses = lifecycle(random.weighted(FINAL_STATUS), random);
  const stepTimes = [orderMs];
  for (let i = 1; i < statuses.length; i++) {
    stepTimes.push((stepTimes[i - 1] ?? orderMs) + random.int(HOUR_MS / 2, 72 * HOUR_MS));
  }
  const hasUpdate = statuses.length > 1 && random.chance(options.updateRate);
  const version = (step: number): OrderRecord => ({
    order_id: options.firstOrderId + index,
    order_date: new Date(orderMs).toISOString(),
    updated_at: new Date(stepTimes[step] ?? orderMs).toISOString(),
    status: statuses[step] ?? 'pending',
    currency: market.currency,
    customer,
    items,
    subtotal: formatCents(subtotal),
    discount: formatCents(discount),
    tax: formatCents(tax),
    shipping: formatCents(shipping),
    total: formatCents(subtotal - discount + tax + shipping),
    is_gift: isGift,
    coupon_code: couponChoice[0],
  });
  const last = statuses.length - 1;
  if (!hasUpdate) return { first: version(last), update: undefined };
  return { first: version(last - 1), update: version(last) };
}

/** Orders in order-date order, with each update emitted a few records after its order. */
export function* orderStream(options: OrderStreamOptions): Generator<EmittedOrder> {
  const catalog = buildCatalog(new Random(`${options.seed}:catalog`));
  const schedule = new Random(`${options.seed}:schedule`);
  // Pending updates sorted by the record index after which they are due; never more than the window.
  const pending: { due: number; record: OrderRecord }[] = [];
  for (let index = 0; index < options.orders; index++) {
    const { first, update } = buildOrder(index, options, catalog);
    yield { record: first, isUpdate: false };
    if (update) {
      const due = index + schedule.int(1, UPDATE_WINDOW);
      const at = pending.findIndex((entry) => entry.due > due);
      pending.splice(at === -1 ? pending.length : at, 0, { due, record: update });
    }
    while (pending.length > 0 && (pending[0]?.due ?? Infinity) <= index) {
      const next = pending.shift();
      if (next) yield { record: next.record, isUpdate: true };
    }
  }
  for (const entry of pending) yield { record: entry.record, isUpdate: true };
}
