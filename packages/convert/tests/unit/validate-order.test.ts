import type { OrderRecord } from '@lakeload/orders';
import { describe, expect, it } from 'vitest';
import { validateOrder } from '../../src/validate/order.js';

const order: OrderRecord = {
  order_id: 100001,
  order_date: '2025-11-13T09:12:44.123Z',
  updated_at: '2025-11-14T10:00:00.000Z',
  status: 'shipped',
  currency: 'EUR',
  customer: {
    customer_id: 5001,
    name: 'Ana Weber',
    email: 'ana.weber@example.de',
    country: 'DE',
    segment: 'consumer',
  },
  items: [
    {
      line_number: 1,
      sku: 'SKU-10001',
      product_name: 'Yoga Mat',
      category: 'Sports',
      quantity: 2,
      unit_price: '19.99',
      line_total: '39.98',
    },
    {
      line_number: 2,
      sku: 'SKU-10002',
      product_name: 'Chef Knife',
      category: 'Home & Kitchen',
      quantity: 1,
      unit_price: '45.00',
      line_total: '45.00',
    },
  ],
  subtotal: '84.98',
  discount: '8.50',
  tax: '14.53',
  shipping: '4.99',
  total: '96.00',
  is_gift: false,
  coupon_code: 'WELCOME10',
};

type Path = readonly (string | number)[];

/** A copy of the order with one nested value replaced, or removed when `value` is undefined. */
function variant(...changes: [Path, unknown][]): unknown {
  const copy = structuredClone(order) as unknown as Record<string | number, unknown>;
  for (const [path, value] of changes) {
    const parent = path
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>(
        (node, key) => node[key] as Record<string | number, unknown>,
        copy,
      );
    const last = path.at(-1) as string | number;
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

describe('validateOrder', () => {
  it('normalizes a valid order to cents and microseconds', () => {
    const result = validateOrder(order);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.order).toMatchObject({
      orderId: 100001,
      orderDateMicros: Date.UTC(2025, 10, 13, 9, 12, 44, 123) * 1000,
      subtotalCents: 8498,
      totalCents: 9600,
      couponCode: 'WELCOME10',
      customerCountry: 'DE',
    });
    expect(result.order.items.map((item) => item.lineTotalCents)).toEqual([3998, 4500]);
  });

  it.each<[string, Path, unknown, RegExp]>([
    ['a missing order_id', ['order_id'], undefined, /^order_id: is missing/],
    ['an id given as text', ['order_id'], '100001', /^order_id: expected a positive whole number/],
    [
      'a negative quantity',
      ['items', 1, 'quantity'],
      -1,
      /^items\[1\]\.quantity: expected a whole number from 1/,
    ],
    [
      'a line total that does not add up',
      ['items', 0, 'line_total'],
      '40.00',
      /^items\[0\]\.line_total: expected quantity × unit_price/,
    ],
    [
      'a subtotal that does not add up',
      ['subtotal'],
      '85.00',
      /^subtotal: expected the sum of line totals \(84\.98\)/,
    ],
    [
      'a total that does not add up',
      ['total'],
      '96.01',
      /^total: expected subtotal − discount \+ tax \+ shipping/,
    ],
    [
      'updated_at before order_date',
      ['updated_at'],
      '2025-11-12T00:00:00Z',
      /^updated_at: is earlier than order_date/,
    ],
    ['an unknown status', ['status'], 'lost', /^status: expected one of pending, paid/],
    ['items that are not an array', ['items'], {}, /^items: expected an array/],
    ['no items', ['items'], [], /^items: an order needs at least one line item/],
    ['a repeated line number', ['items', 1, 'line_number'], 1, /^items\[1\]\.line_number: 1 appears twice/],
    ['a boolean given as text', ['is_gift'], 'yes', /^is_gift: expected true or false, got "yes"/],
    [
      'a broken surrogate in text',
      ['customer', 'name'],
      'Ana \ud800',
      /^customer\.name: contains a broken UTF-16 surrogate/,
    ],
  ])('rejects %s and names the field', (_name, path, value, message) => {
    const result = validateOrder(variant([path, value]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((problem) => message.test(problem))).toBe(true);
  });

  it('keeps problems the reader found and reports every problem, not just the first', () => {
    const result = validateOrder(variant([['currency'], 'euro'], [['customer', 'email'], 'not-an-address']), [
      'line 7: has 3 fields, the header has 24',
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'line 7: has 3 fields, the header has 24',
      'currency: expected a three-letter ISO 4217 code such as "EUR", got "euro"',
      'customer.email: expected an e-mail address, got "not-an-address"',
    ]);
  });

  it('rejects a record that is not an object', () => {
    expect(validateOrder([1, 2])).toEqual({
      ok: false,
      problems: ['record: expected a JSON object for one order, got an array'],
    });
  });
});
