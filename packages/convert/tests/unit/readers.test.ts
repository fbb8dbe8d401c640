import { Readable } from 'node:stream';
import { CSV_COLUMNS } from '@lakeload/orders';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/inputs/csv.js';
import { readJsonArray } from '../../src/inputs/json-array.js';
import { readJsonl } from '../../src/inputs/jsonl.js';
import type { RecordBatches, SourceRecord } from '../../src/inputs/records.js';

// Feeds the text in small pieces so records and characters straddle chunk boundaries.
function streamOf(text: string, pieceBytes = 7): Readable {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceBytes) pieces.push(bytes.subarray(i, i + pieceBytes));
  return Readable.from(pieces);
}

async function all(batches: RecordBatches): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const batch of batches) records.push(...batch);
  return records;
}

describe('readJsonl', () => {
  it('numbers records and lines, skips blank lines and keeps unparseable lines as problems', async () => {
    const records = await all(readJsonl(streamOf('\uFEFF{"a":1}\r\n\n{"b":"ü"}\n{"c":\n')));
    expect(records.map(({ record, firstLine, value }) => [record, firstLine, value])).toEqual([
      [1, 1, { a: 1 }],
      [2, 3, { b: 'ü' }],
      [3, 4, undefined],
    ]);
    expect(records[2]?.raw).toBe('{"c":');
    expect(records[2]?.problems[0]).toMatch(/^record: not valid JSON .*truncated/);
  });
});

describe('readJsonArray', () => {
  it('streams elements with their lines, across chunk edges, with strings holding brackets and quotes', async () => {
    const text = '[\n  {"a": "x], {\\"y"},\n  {"b": [1, {"c": 2}]},\n  7\n]\n';
    const records = await all(readJsonArray(streamOf(text, 3), 'in.json'));
    expect(
      records.map(({ record, firstLine, lastLine, value }) => [record, firstLine, lastLine, value]),
    ).toEqual([
      [1, 2, 2, { a: 'x], {"y' }],
      [2, 3, 3, { b: [1, { c: 2 }] }],
      [3, 4, 4, 7],
    ]);
  });

  it('keeps a bad element as a problem and reads on', async () => {
    const records = await all(readJsonArray(streamOf('[{"a":1,},{"b":2}]'), 'in.json'));
    expect(records[0]?.problems[0]).toMatch(/not valid JSON/);
    expect(records[1]?.value).toEqual({ b: 2 });
  });

  it.each([
    [
      '{"a":1}\n{"b":2}\n',
      /in\.json: is not a valid JSON array: expected "\[" but found "\{" at line 1.*\.jsonl/,
    ],
    ['[{"a":1},{"b":2}', /in\.json: ends before its closing "\]" \(line 1\): the file looks truncated/],
    ['[{"a":1}] x', /after the closing "\]"/],
    ['[{"a":1},,{"b":2}]', /unexpected ","/],
  ])('fails the whole input when the array itself is broken: %j', async (text, message) => {
    await expect(all(readJsonArray(streamOf(text), 'in.json'))).rejects.toThrow(message);
  });
});

describe('readCsv', () => {
  const header = CSV_COLUMNS.join(',');
  const row = (orderId: string, line: number, extra: Partial<Record<string, string>> = {}) =>
    CSV_COLUMNS.map((column) => {
      const values: Record<string, string> = {
        order_id: orderId,
        order_date: '2025-11-13T09:00:00Z',
        updated_at: '2025-11-13T10:00:00Z',
        is_gift: 'false',
        line_number: String(line),
        product_name: '"Puzzle, 1000 pieces"',
        quantity: '2',
        ...extra,
      };
      return values[column] ?? 'x';
    }).join(',');

  it('groups consecutive rows of one order version and types the values', async () => {
    const text = [header, row('1', 1), row('1', 2), row('2', 1)].join('\n');
    const records = await all(readCsv(streamOf(text, 11), 'in.csv'));
    expect(records.map(({ record, firstLine, lastLine }) => [record, firstLine, lastLine])).toEqual([
      [1, 2, 3],
      [2, 4, 4],
    ]);
    const first = records[0]?.value as {
      order_id: unknown;
      is_gift: unknown;
      items: { quantity: unknown; product_name: unknown }[];
    };
    expect(first.order_id).toBe(1);
    expect(first.is_gift).toBe(false);
    expect(first.items.map((item) => [item.quantity, item.product_name])).toEqual([
      [2, 'Puzzle, 1000 pieces'],
      [2, 'Puzzle, 1000 pieces'],
    ]);
  });

  it('starts a new record where a line number repeats: a duplicate copy right after the order', async () => {
    const text = [header, row('1', 1), row('1', 2), row('1', 1), row('1', 2)].join('\n');
    const records = await all(readCsv(streamOf(text), 'in.csv'));
    expect(records.map(({ firstLine, lastLine }) => [firstLine, lastLine])).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it('reports short rows and rows that disagree on order columns', async () => {
    const text = [header, row('1', 1), row('1', 2, { currency: 'USD' }), '1,2025-11-13T09:00:00Z'].join('\n');
    const records = await all(readCsv(streamOf(text), 'in.csv'));
    expect(records[0]?.problems).toEqual([
      'line 3: currency differs from line 2; every row of one order must repeat the same order columns',
    ]);
    expect(records[1]?.problems[0]).toBe(
      'line 4: has 2 fields, the header has 24; the row looks truncated or shifted',
    );
  });

  it('counts lines itself: CR LF inside a quoted field is one line break, blank lines count too', async () => {
    const text = [
      header,
      row('1', 1, { product_name: '"two\r\nlines"' }),
      '',
      row('2', 1, { sku: 'Chef "Knife" Mini' }),
    ].join('\r\n');
    const records = await all(readCsv(streamOf(text), 'in.csv'));
    expect(records.map(({ firstLine, lastLine }) => [firstLine, lastLine])).toEqual([
      [2, 3],
      [5, 5],
    ]);
    const second = records[1]?.value as { items: { sku: unknown }[] };
    expect(second.items[0]?.sku).toBe('Chef "Knife" Mini');
    expect(records[1]?.problems).toEqual([]);
  });

  it('fails the input when the header lacks contract columns', async () => {
    await expect(all(readCsv(streamOf('order_id,total\n1,2\n'), 'in.csv'))).rejects.toThrow(
      /in\.csv: the CSV header lacks order_date/,
    );
  });
});
