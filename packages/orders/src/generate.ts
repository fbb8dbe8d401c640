import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { csvField } from '@lakeload/commons';
import { corruptValues, type DirtyKind, dirtyKindsFor, truncateLine } from './dirty.js';
import { GenerateOptionsError } from './errors.js';
import { orderStream } from './orders.js';
import { Random } from './random.js';
import { CSV_COLUMNS, type OrderRecord, OUTPUT_FORMATS, type OutputFormat } from './record.js';

export interface GenerateOptions {
  /** Distinct orders; updated versions and injected duplicates come on top. */
  orders: number;
  /** Same seed and options give byte-identical output. Default 42. */
  seed?: string | number;
  /** First order day, `YYYY-MM-DD`, UTC. Default 2025-11-01. */
  startDate?: string;
  /** Order dates spread evenly over this many days. Default 7. */
  days?: number;
  /** Default `jsonl`. */
  format?: OutputFormat;
  /** Share of records (0..1) replaced by a bad record. Default 0. */
  dirtyRate?: number;
  /** Share of orders (0..1) that appear again later as an updated version. Default 0.15. */
  updateRate?: number;
  /** Size of the customer pool; customers repeat across orders. Default orders / 6, at least 20. */
  customers?: number;
  /** The first order id; ids count up from it. Default 100001. */
  firstOrderId?: number;
}

/** Where a bad record was written, so tests and users can find it again. */
export interface InjectedRecord {
  kind: DirtyKind;
  /** 1-based record number: the line in JSONL, the array element in JSON, the order's row group in CSV. */
  record: number;
  firstLine: number;
  lastLine: number;
}

export interface GenerateHooks {
  onProgress?: (ordersDone: number, ordersTotal: number) => void;
  onDirty?: (injected: InjectedRecord) => void;
}

export interface GenerateSummary {
  format: OutputFormat;
  seed: string;
  startDate: string;
  days: number;
  orders: number;
  /** Records written: orders, their updates and duplicates. */
  records: number;
  updates: number;
  lineItems: number;
  lines: number;
  bytes: number;
  dirtyRecords: number;
  dirty: Record<DirtyKind, number>;
}

interface Resolved {
  orders: number;
  seed: string;
  startDate: string;
  startMs: number;
  days: number;
  format: OutputFormat;
  dirtyRate: number;
  updateRate: number;
  customers: number;
  firstOrderId: number;
}

function resolve(options: GenerateOptions): Resolved {
  const { orders, days = 7, dirtyRate = 0, updateRate = 0.15, format = 'jsonl' } = options;
  const startDate = options.startDate ?? '2025-11-01';
  if (!Number.isSafeInteger(orders) || orders < 1) {
    throw new GenerateOptionsError(`orders must be a whole number ≥ 1, got ${orders}`);
  }
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new GenerateOptionsError(`days must be a whole number ≥ 1, got ${days}`);
  }
  const startMs = Date.parse(`${startDate}T00:00:00.000Z`);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(startDate) && !Number.isNaN(startMs);
  if (!valid || new Date(startMs).toISOString().slice(0, 10) !== startDate) {
    throw new GenerateOptionsError(`start date must be a real date as YYYY-MM-DD, got "${startDate}"`);
  }
  for (const [name, rate] of [
    ['dirty rate', dirtyRate],
    ['update rate', updateRate],
  ] as const) {
    if (!(rate >= 0 && rate <= 1))
      throw new GenerateOptionsError(`${name} must be between 0 and 1, got ${rate}`);
  }
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new GenerateOptionsError(`format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
  }
  const customers = options.customers ?? Math.max(20, Math.ceil(orders / 6));
  if (!Number.isSafeInteger(customers) || customers < 1) {
    throw new GenerateOptionsError(`customers must be a whole number ≥ 1, got ${customers}`);
  }
  const firstOrderId = options.firstOrderId ?? 100_001;
  if (
    !Number.isSafeInteger(firstOrderId) ||
    firstOrderId < 1 ||
    !Number.isSafeInteger(firstOrderId + orders)
  ) {
    throw new GenerateOptionsError(`first order id must be a whole number ≥ 1, got ${firstOrderId}`);
  }
  return {
    orders,
    seed: String(options.seed ?? 42),
    startDate,
    startMs,
    days,
    format,
    dirtyRate,
    updateRate,
    customers,
    firstOrderId,
  };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return csvField(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** CSV rows of one order: the order's columns repeated on every line item row. */
function csvRows(record: Record<string, unknown>): string[] {
  const customer = (record.customer ?? {}) as Record<string, unknown>;
  const items = Array.isArray(record.items) ? (record.items as Record<string, unknown>[]) : [];
  const order: Record<string, unknown> = {
    ...record,
    customer_id: customer.customer_id,
    customer_name: customer.name,
    customer_email: customer.email,
    customer_country: customer.country,
    customer_segment: customer.segment,
  };
  return items.map((item) =>
    CSV_COLUMNS.map((column) => csvCell(column in item ? item[column] : order[column])).join(','),
  );
}

/** The lines one record occupies in the chosen format. */
function formatRecord(record: Record<string, unknown> | OrderRecord, format: OutputFormat): string[] {
  return format === 'csv' ? csvRows(record as Record<string, unknown>) : [JSON.stringify(record)];
}

const FLUSH_BYTES = 256 * 1024;

/**
 * Writes `options.orders` orders to `output` in the chosen format and returns what was written.
 * Memory stays flat: orders are built one at a time and only a bounded window of pending updates
 * is held. Does not end `output`.
 */
export async function generateOrders(
  options: GenerateOptions,
  output: Writable,
  hooks: GenerateHooks = {},
): Promise<GenerateSummary> {
  const resolved = resolve(options);
  const { format } = resolved;
  const dirtyRandom = new Random(`${resolved.seed}:dirty`);
  const kinds = dirtyKindsFor(format);
  const dirty = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<DirtyKind, number>;
  const summary: GenerateSummary = {
    format,
    seed: resolved.seed,
    startDate: resolved.startDate,
    days: resolved.days,
    orders: resolved.orders,
    records: 0,
    updates: 0,
    lineItems: 0,
    lines: 0,
    bytes: 0,
    dirtyRecords: 0,
    dirty,
  };

  let buffer: string[] = [];
  let buffered = 0;
  const flush = async () => {
    if (buffer.length === 0) return;
    const chunk = buffer.join('');
    buffer = [];
    buffered = 0;
    summary.bytes += Buffer.byteLength(chunk);
    if (!output.write(chunk)) await once(output, 'drain');
  };
  const emit = async (text: string) => {
    buffer.push(text);
    buffered += text.length;
    if (buffered >= FLUSH_BYTES) await flush();
  };
  // Writes one record's lines and returns the line numbers it took.
  const writeRecord = async (lines: readonly string[]): Promise<[number, number]> => {
    summary.records += 1;
    const first = summary.lines + 1;
    for (const line of lines) {
      if (format === 'json') await emit(summary.records === 1 ? `${line}` : `,\n${line}`);
      else await emit(`${line}\n`);
      summary.lines += 1;
    }
    summary.lineItems += format === 'csv' ? lines.length : 0;
    return [first, summary.lines];
  };
  const reportDirty = (kind: DirtyKind, [firstLine, lastLine]: [number, number]) => {
    dirty[kind] += 1;
    summary.dirtyRecords += 1;
    hooks.onDirty?.({ kind, record: summary.records, firstLine, lastLine });
  };

  if (format === 'csv') {
    await emit(`${CSV_COLUMNS.join(',')}\n`);
    summary.lines = 1;
  } else if (format === 'json') {
    await emit('[\n');
    summary.lines = 1;
  }

  let done = 0;
  for (const { record, isUpdate } of orderStream(resolved)) {
    if (isUpdate) summary.updates += 1;
    else done += 1;
    if (format !== 'csv') summary.lineItems += record.items.length;
    const lines = formatRecord(record, format);
    if (resolved.dirtyRate === 0 || !dirtyRandom.chance(resolved.dirtyRate)) {
      await writeRecord(lines);
    } else {
      const kind = dirtyRandom.pick(kinds);
      if (kind === 'duplicate') {
        // The first copy is clean; the repeat is the bad record.
        await writeRecord(lines);
        if (format !== 'csv') summary.lineItems += record.items.length;
        reportDirty(kind, await writeRecord(lines));
      } else if (kind === 'truncated') {
        const cut = dirtyRandom.int(0, lines.length - 1);
        reportDirty(
          kind,
          await writeRecord(
            lines.map((line, i) => (i === cut ? truncateLine(line, format, dirtyRandom) : line)),
          ),
        );
      } else {
        reportDirty(
          kind,
          await writeRecord(formatRecord(corruptValues(record, kind, format, dirtyRandom), format)),
        );
      }
    }
    if (hooks.onProgress && (done % 1000 === 0 || done === resolved.orders) && !isUpdate) {
      hooks.onProgress(done, resolved.orders);
    }
  }
  if (format === 'json') {
    await emit(summary.records === 0 ? ']\n' : '\n]\n');
    summary.lines += 1;
  }
  await flush();
  return summary;
}

/**
 * Generates into a file (gzip-compressed when the path ends in `.gz`). Writes a temporary file and
 * renames it, so a crash never leaves a half-written file under the final name.
 */
export async function generateOrdersFile(
  path: string,
  options: GenerateOptions,
  hooks: GenerateHooks = {},
): Promise<GenerateSummary> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.partial`;
  const file = createWriteStream(temporary);
  try {
    let summary: GenerateSummary;
    if (path.endsWith('.gz')) {
      const gzip = createGzip();
      const done = pipeline(gzip, file);
      summary = await generateOrders(options, gzip, hooks);
      gzip.end();
      await done;
    } else {
      summary = await generateOrders(options, file, hooks);
      file.end();
      await once(file, 'finish');
    }
    await rename(temporary, path);
    return summary;
  } catch (error) {
    file.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
