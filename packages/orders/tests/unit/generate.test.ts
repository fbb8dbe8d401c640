import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  type GenerateOptions,
  generateOrders,
  type InjectedRecord,
  type OrderRecord,
} from '../../src/index.js';

async function generate(options: GenerateOptions) {
  const chunks: string[] = [];
  const injected: InjectedRecord[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const summary = await generateOrders(options, sink, { onDirty: (record) => injected.push(record) });
  return { text: chunks.join(''), summary, injected };
}

describe('generateOrders', () => {
  it('writes byte-identical output for the same seed and options', async () => {
    const options: GenerateOptions = { orders: 300, seed: 7, format: 'jsonl', dirtyRate: 0.1 };
    const a = await generate(options);
    const b = await generate(options);
    expect(a.text).toBe(b.text);
    expect(a.summary).toEqual(b.summary);
  });

  it('writes different data for a different seed', async () => {
    const a = await generate({ orders: 50, seed: 1 });
    const b = await generate({ orders: 50, seed: 2 });
    expect(a.text).not.toBe(b.text);
  });

  it('builds orders that satisfy the contract: money adds up, dates order, customers repeat', async () => {
    const { text, summary } = await generate({
      orders: 2000,
      seed: 'contract',
      startDate: '2025-03-10',
      days: 5,
    });
    const records = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OrderRecord);
    expect(records).toHaveLength(summary.records);
    expect(summary.records).toBe(summary.orders + summary.updates);
    expect(summary.updates).toBeGreaterThan(0);
    const cents = (money: string) => {
      expect(money).toMatch(/^-?\d+\.\d{2}$/);
      return Number(money.replace('.', ''));
    };
    const customers = new Set<number>();
    for (const order of records) {
      customers.add(order.customer.customer_id);
      let subtotal = 0;
      order.items.forEach((item, index) => {
        expect(item.line_number).toBe(index + 1);
        expect(Number.isInteger(item.quantity) && item.quantity > 0).toBe(true);
        expect(cents(item.line_total)).toBe(cents(item.unit_price) * item.quantity);
        subtotal += cents(item.line_total);
      });
      expect(cents(order.subtotal)).toBe(subtotal);
      expect(cents(order.total)).toBe(
        cents(order.subtotal) - cents(order.discount) + cents(order.tax) + cents(order.shipping),
      );
      expect(order.updated_at >= order.order_date).toBe(true);
      expect(order.order_date >= '2025-03-10T00:00:00.000Z' && order.order_date < '2025-03-15').toBe(true);
    }
    expect(customers.size).toBeLessThan(records.length / 2);
  });

  it('emits updates as later versions of an earlier order with a newer updated_at and status', async () => {
    const { text } = await generate({ orders: 1000, seed: 'updates', updateRate: 0.5 });
    const seen = new Map<number, OrderRecord>();
    let updates = 0;
    for (const line of text.trim().split('\n')) {
      const order = JSON.parse(line) as OrderRecord;
      const earlier = seen.get(order.order_id);
      if (earlier) {
        updates += 1;
        expect(order.updated_at > earlier.updated_at).toBe(true);
        expect(order.status).not.toBe(earlier.status);
        expect(order.items).toEqual(earlier.items);
      }
      seen.set(order.order_id, order);
    }
    expect(updates).toBeGreaterThan(300);
  });

  it('writes CSV as one row per line item with the order columns repeated', async () => {
    const { text, summary } = await generate({ orders: 200, seed: 3, format: 'csv' });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines.length - 1).toBe(summary.lineItems);
    expect(summary.lines).toBe(lines.length);
  });

  it('writes a JSON array with one order per line', async () => {
    const { text, summary } = await generate({ orders: 100, seed: 3, format: 'json' });
    const parsed = JSON.parse(text) as OrderRecord[];
    expect(parsed).toHaveLength(summary.records);
    expect(text.split('\n')[1]).toBe(`${JSON.stringify(parsed[0])},`);
  });

  it('injects dirty records at the requested rate and counts each kind', async () => {
    const { summary, injected } = await generate({ orders: 4000, seed: 9, dirtyRate: 0.2 });
    const total = Object.values(summary.dirty).reduce((a, b) => a + b, 0);
    expect(total).toBe(summary.dirtyRecords);
    expect(injected).toHaveLength(total);
    expect(total / summary.records).toBeGreaterThan(0.15);
    expect(total / summary.records).toBeLessThan(0.25);
    for (const count of Object.values(summary.dirty)) expect(count).toBeGreaterThan(50);
  });

  it('never truncates inside a JSON array, which would break the whole file', async () => {
    const { text, summary } = await generate({ orders: 500, seed: 4, format: 'json', dirtyRate: 0.3 });
    expect('truncated' in summary.dirty).toBe(false);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('rejects options out of range with a message naming the option', async () => {
    await expect(generate({ orders: 0 })).rejects.toThrow(/orders must be/);
    await expect(generate({ orders: 5, startDate: '2025-02-30' })).rejects.toThrow(/start date/);
    await expect(generate({ orders: 5, startDate: '2025-13-01' })).rejects.toThrow(/start date/);
    await expect(generate({ orders: 5, dirtyRate: 1.5 })).rejects.toThrow(/dirty rate/);
  });
});
