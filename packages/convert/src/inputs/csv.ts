import type { Readable } from 'node:stream';
import { CSV_COLUMNS, CSV_ORDER_COLUMNS, type CsvColumn } from '@lakeload/orders';
import { parse } from 'csv-parse';
import { InputError } from '../errors.js';
import type { RecordBatches, SourceRecord } from './records.js';

const INTEGER_COLUMNS = new Set<CsvColumn>(['order_id', 'customer_id', 'line_number', 'quantity']);
const BATCH = 1000;

/** CSV text → the JSON shape: empty is null, whole numbers and true/false are typed, the rest stays text. */
function typed(column: CsvColumn, text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
  if (INTEGER_COLUMNS.has(column) && /^-?\d+$/.test(text)) return Number(text);
  if (column === 'is_gift') {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
  }
  return text;
}

interface Row {
  fields: string[];
  raw: string;
  firstLine: number;
  lastLine: number;
}

function toRecord(rows: Row[], index: Map<CsvColumn, number>, width: number, record: number): SourceRecord {
  const problems: string[] = [];
  const field = (row: Row, column: CsvColumn) => row.fields[index.get(column) ?? -1];
  const first = rows[0] as Row;
  for (const row of rows) {
    if (row.fields.length !== width) {
      problems.push(
        `line ${row.firstLine}: has ${row.fields.length} fields, the header has ${width}; the row looks truncated or shifted`,
      );
      continue;
    }
    for (const column of CSV_ORDER_COLUMNS) {
      if (row !== first && field(row, column) !== field(first, column)) {
        problems.push(
          `line ${row.firstLine}: ${column} differs from line ${first.firstLine}; every row of one order must repeat the same order columns`,
        );
      }
    }
  }
  const value = (column: CsvColumn) => typed(column, field(first, column));
  const order = {
    order_id: value('order_id'),
    order_date: value('order_date'),
    updated_at: value('updated_at'),
    status: value('status'),
    currency: value('currency'),
    customer: {
      customer_id: value('customer_id'),
      name: value('customer_name'),
      email: value('customer_email'),
      country: value('customer_country'),
      segment: value('customer_segment'),
    },
    subtotal: value('subtotal'),
    discount: value('discount'),
    tax: value('tax'),
    shipping: value('shipping'),
    total: value('total'),
    is_gift: value('is_gift'),
    coupon_code: value('coupon_code'),
    items: rows.map((row) => ({
      line_number: typed('line_number', field(row, 'line_number')),
      sku: typed('sku', field(row, 'sku')),
      product_name: typed('product_name', field(row, 'product_name')),
      category: typed('category', field(row, 'category')),
      quantity: typed('quantity', field(row, 'quantity')),
      unit_price: typed('unit_price', field(row, 'unit_price')),
      line_total: typed('line_total', field(row, 'line_total')),
    })),
  };
  return {
    record,
    firstLine: first.firstLine,
    lastLine: (rows.at(-1) as Row).lastLine,
    raw: rows.map((row) => row.raw).join('\n'),
    value: order,
    problems,
  };
}

/**
 * One record per order: consecutive rows with the same order_id and updated_at (the order's
 * version) and distinct line numbers are its line items, as flat shop exports write them.
 */
export async function* readCsv(stream: Readable, inputPath: string): RecordBatches {
  const parser = stream.pipe(
    // relax_quotes keeps a stray quote inside a field (Chef "Knife") as text instead of failing the
    // file; empty lines are kept so that this reader can count lines itself.
    parse({ raw: true, relax_column_count: true, relax_quotes: true, bom: true, skip_empty_lines: false }),
  );
  stream.on('error', (error) => parser.destroy(error));
  let index: Map<CsvColumn, number> | undefined;
  let width = 0;
  let group: Row[] = [];
  let groupKey = '';
  const groupLines = new Set<string>();
  let record = 0;
  let batch: SourceRecord[] = [];
  // Lines are counted from the raw text: the parser's own count takes a CR LF inside a quoted field
  // for two lines.
  let consumed = 0;
  for await (const { record: fields, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    const text = raw.replace(/\r?\n$/, '');
    const firstLine = consumed + 1;
    const lastLine = firstLine + (text.match(/\n/g)?.length ?? 0);
    consumed = lastLine;
    if (fields.length === 1 && fields[0] === '') continue;
    if (!index) {
      const header = fields.map((name) => name.trim());
      const missing = CSV_COLUMNS.filter((column) => !header.includes(column));
      if (missing.length > 0) {
        throw new InputError(
          inputPath,
          `the CSV header lacks ${missing.join(', ')}; expected columns: ${CSV_COLUMNS.join(',')}`,
        );
      }
      index = new Map(CSV_COLUMNS.map((column) => [column, header.indexOf(column)]));
      width = header.length;
      continue;
    }
    const row = { fields, raw: text, firstLine, lastLine };
    const key = `${fields[index.get('order_id') ?? 0]}\u0000${fields[index.get('updated_at') ?? 0]}`;
    const lineNumber = fields[index.get('line_number') ?? 0] ?? '';
    // A repeated line number starts a new record: a duplicate copy of the order right after it.
    if (group.length > 0 && (key !== groupKey || groupLines.has(lineNumber))) {
      record += 1;
      batch.push(toRecord(group, index, width, record));
      group = [];
      groupLines.clear();
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    groupKey = key;
    groupLines.add(lineNumber);
    group.push(row);
  }
  if (!index) throw new InputError(inputPath, 'is empty; expected a CSV header line and rows');
  if (group.length > 0) batch.push(toRecord(group, index, width, record + 1));
  if (batch.length > 0) yield batch;
}
