// The order record contract shared by the generator (which writes it) and the converter (which
// validates it). Money is decimal text with two places; timestamps are ISO-8601 UTC.

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CUSTOMER_SEGMENTS = ['consumer', 'small_business', 'corporate'] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

export interface CustomerRecord {
  customer_id: number;
  name: string;
  email: string;
  country: string;
  segment: CustomerSegment;
}

export interface LineItemRecord {
  line_number: number;
  sku: string;
  product_name: string;
  category: string;
  quantity: number;
  unit_price: string;
  line_total: string;
}

/** One order as written to JSON and JSONL: nested customer, items as an array. */
export interface OrderRecord {
  order_id: number;
  order_date: string;
  updated_at: string;
  status: OrderStatus;
  currency: string;
  customer: CustomerRecord;
  items: LineItemRecord[];
  subtotal: string;
  discount: string;
  tax: string;
  shipping: string;
  total: string;
  is_gift: boolean;
  coupon_code: string | null;
}

/** CSV layout: one row per line item, the order's columns repeated on each row. */
export const CSV_COLUMNS = [
  'order_id',
  'order_date',
  'updated_at',
  'status',
  'currency',
  'customer_id',
  'customer_name',
  'customer_email',
  'customer_country',
  'customer_segment',
  'subtotal',
  'discount',
  'tax',
  'shipping',
  'total',
  'is_gift',
  'coupon_code',
  'line_number',
  'sku',
  'product_name',
  'category',
  'quantity',
  'unit_price',
  'line_total',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The flat CSV columns that belong to the order (repeated on every row) rather than to one item. */
export const CSV_ORDER_COLUMNS: readonly CsvColumn[] = CSV_COLUMNS.slice(
  0,
  CSV_COLUMNS.indexOf('line_number'),
);

export type OutputFormat = 'json' | 'jsonl' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'jsonl', 'csv'];
