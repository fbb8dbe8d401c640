// End to end against real files and a real DuckDB: generate → convert → read the Parquet back with
// DuckDB as an independent reader. Imports the built package, whose parsing threads load from dist.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@lakeload/commons';
import { convert, type RejectEntry } from '@lakeload/convert';
import {
  generateOrdersFile,
  type InjectedRecord,
  type OrderRecord,
  type OutputFormat,
} from '@lakeload/orders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
let db: DuckDBInstance;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-convert-'));
  db = await DuckDBInstance.create(':memory:');
});
afterAll(async () => {
  db.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

const glob = (out: string, dataset: string) => quoteLiteral(join(out, '*', '*', '*', dataset, '*.parquet'));

/** What the generated JSONL implies, computed here independently of the converter. */
async function expectedFrom(path: string) {
  let records = 0;
  let items = 0;
  let quantity = 0;
  let totalCents = 0;
  let lineTotalCents = 0;
  const ids = new Set<number>();
  for await (const line of createInterface({ input: createReadStream(path) })) {
    const order = JSON.parse(line) as OrderRecord;
    records += 1;
    ids.add(order.order_id);
    totalCents += Number(order.total.replace('.', ''));
    for (const item of order.items) {
      items += 1;
      quantity += item.quantity;
      lineTotalCents += Number(item.line_total.replace('.', ''));
    }
  }
  const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return {
    records,
    items,
    quantity,
    distinct: ids.size,
    total: money(totalCents),
    lineTotal: money(lineTotalCents),
  };
}

describe('convert', () => {
  it.each<[OutputFormat, string]>([
    ['jsonl', 'orders.jsonl'],
    ['json', 'orders.json'],
    ['csv', 'orders.csv'],
    ['jsonl', 'orders.jsonl.gz'],
  ])('round-trips %s (%s): counts, sums, distinct ids and layout match the input', async (format, name) => {
    const dir = join(root, `round-${name}`);
    const input = join(dir, 'in', name);
    const reference = join(dir, 'reference.jsonl');
    const options = { orders: 1500, seed: 'round', days: 4, startDate: '2025-11-10', format };
    await generateOrdersFile(input, options);
    await generateOrdersFile(reference, { ...options, format: 'jsonl' });
    const expected = await expectedFrom(reference);

    const out = join(dir, 'out');
    const summary = await convert({ inputs: [join(dir, 'in')], outDir: out });
    expect(summary.failedInputs).toBe(0);
    expect(summary.rejected).toBe(0);
    expect(summary.datasets.order_summary.rows).toBe(expected.records);
    expect(summary.datasets.order_items.rows).toBe(expected.items);

    const [orders] = await query(
      `SELECT count(*) AS n, count(DISTINCT order_id) AS ids, CAST(sum(total) AS VARCHAR) AS total, sum(item_count) AS items FROM read_parquet(${glob(out, 'order_summary')})`,
    );
    expect(orders).toEqual({
      n: String(expected.records),
      ids: String(expected.distinct),
      total: expected.total,
      items: String(expected.items),
    });
    for (const dataset of ['order_items', 'order_flattened']) {
      const [items] = await query(
        `SELECT count(*) AS n, count(DISTINCT order_id) AS ids, sum(quantity) AS quantity, CAST(sum(line_total) AS VARCHAR) AS line_total FROM read_parquet(${glob(out, dataset)})`,
      );
      expect(items).toEqual({
        n: String(expected.items),
        ids: String(expected.distinct),
        quantity: String(expected.quantity),
        line_total: expected.lineTotal,
      });
    }

    const written = (await files(out)).filter((file) => file.endsWith('.parquet'));
    expect(written).toHaveLength(3 * 4);
    for (const file of written) {
      expect(file).toMatch(
        /^year=\d{4}\/month=\d{2}\/day=\d{2}\/(order_\w+)\/\1_\d{8}_[0-9a-f]{12}_001\.parquet$/,
      );
    }
    // Every row sits in the folder of its order's UTC day.
    const misplaced = await query(
      `SELECT count(*) AS n FROM read_parquet(${glob(out, 'order_flattened')}, filename = true)
       WHERE NOT contains(filename, strftime(order_date AT TIME ZONE 'UTC', 'year=%Y/month=%m/day=%d/'))`,
    );
    expect(misplaced).toEqual([{ n: '0' }]);
  });

  it('writes exact Parquet types: INT64 ids, DECIMAL(12,2) money, UTC microsecond timestamps, dates, dictionary-encoded text', async () => {
    const dir = join(root, 'types');
    await generateOrdersFile(join(dir, 'orders.jsonl'), { orders: 2000, days: 1 });
    const out = join(dir, 'out');
    await convert({
      inputs: [join(dir, 'orders.jsonl')],
      outDir: out,
      compression: 'zstd',
      rowGroupSize: 2048,
    });
    const [file] = (await files(out)).filter((name) => name.includes('/order_flattened/'));
    const path = quoteLiteral(join(out, file ?? ''));
    const schema = await query(
      `SELECT name, type, logical_type, converted_type, scale, precision FROM parquet_schema(${path}) WHERE name IN ('order_id', 'line_number', 'order_date', 'updated_at', 'order_day', 'total', 'unit_price', 'is_gift', 'status')`,
    );
    const byName = Object.fromEntries(schema.map((row) => [row.name, row]));
    expect(byName.order_id).toMatchObject({ type: 'INT64' });
    expect(byName.line_number).toMatchObject({ type: 'INT32' });
    for (const name of ['order_date', 'updated_at']) {
      expect(byName[name]).toMatchObject({ type: 'INT64' });
      expect(String(byName[name]?.logical_type)).toMatch(/isAdjustedToUTC=1.*MICROS/);
    }
    expect(byName.order_day).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
    for (const name of ['total', 'unit_price'])
      expect(byName[name]).toMatchObject({ type: 'INT64', scale: '2', precision: '12' });
    expect(byName.is_gift).toMatchObject({ type: 'BOOLEAN' });
    expect(byName.status).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    const chunks = await query(
      `SELECT DISTINCT path_in_schema AS col, compression, encodings FROM parquet_metadata(${path}) WHERE path_in_schema IN ('status', 'currency')`,
    );
    for (const chunk of chunks) {
      expect(chunk.compression).toBe('ZSTD');
      expect(String(chunk.encodings)).toMatch(/DICTIONARY/);
    }
    const [groups] = await query(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${path})`);
    expect(Number(groups?.n)).toBeGreaterThan(1);
  });

  it.each<OutputFormat>(['jsonl', 'json', 'csv'])(
    'puts every injected bad %s record in _rejects with a reason, and no valid record',
    async (format) => {
      const dir = join(root, `dirty-${format}`);
      const input = join(dir, `orders.${format}`);
      const injected: InjectedRecord[] = [];
      const generated = await generateOrdersFile(
        input,
        { orders: 2500, seed: `dirty-${format}`, dirtyRate: 0.15, format },
        { onDirty: (record) => injected.push(record) },
      );
      expect(new Set(injected.map((record) => record.kind)).size).toBe(format === 'json' ? 6 : 7);
      const out = join(dir, 'out');
      const summary = await convert({ inputs: [input], outDir: out });
      const rejectsFile = summary.inputs[0]?.rejectsFile ?? '';
      expect(relative(out, rejectsFile)).toMatch(
        new RegExp(`^_rejects/orders\\.${format}\\.[0-9a-f]{12}\\.jsonl$`),
      );
      const rejects = (await readFile(rejectsFile, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as RejectEntry);
      expect(rejects).toHaveLength(summary.rejected);

      // Each reject lies within one injected record: no valid record was rejected.
      for (const reject of rejects) {
        expect(reject.input).toBe(input);
        expect(reject.reason.length).toBeGreaterThan(10);
        expect(reject.raw.length).toBeGreaterThan(0);
        const source = injected.find(
          (record) => reject.line >= record.firstLine && reject.lastLine <= record.lastLine,
        );
        expect(
          source,
          `reject at line ${reject.line} (${reject.reason}) matches no injected record`,
        ).toBeDefined();
      }
      // Each injected record has its first line rejected.
      for (const record of injected) {
        const found = rejects.some(
          (reject) => reject.line <= record.firstLine && reject.lastLine >= record.firstLine,
        );
        expect(found, `injected ${record.kind} at line ${record.firstLine} was not rejected`).toBe(true);
      }
      const duplicates = rejects.filter((reject) => reject.reason.includes('duplicate of line'));
      expect(duplicates).toHaveLength(generated.dirty.duplicate);
      // One record per order version (in CSV, its consecutive rows): the counts line up exactly.
      expect(summary.rejected).toBe(generated.dirtyRecords);
      expect(summary.valid).toBe(generated.records - generated.dirtyRecords);
      for (const record of injected) {
        expect(rejects.find((reject) => reject.line === record.firstLine)?.record).toBe(record.record);
      }
      const [stored] = await query(`SELECT count(*) AS n FROM read_parquet(${glob(out, 'order_summary')})`);
      expect(stored).toEqual({ n: String(summary.valid) });
    },
  );

  it('leaves the same files when the same input is converted again, and removes what a shorter input no longer covers', async () => {
    const dir = join(root, 'rerun');
    const input = join(dir, 'in', 'daily.jsonl');
    const out = join(dir, 'out');
    await generateOrdersFile(input, { orders: 800, days: 5, seed: 'rerun' });
    await convert({ inputs: [input], outDir: out });
    const first = await files(out);
    const bytes = async (list: string[]) => Promise.all(list.map((file) => readFile(join(out, file))));
    const firstBytes = await bytes(first);
    const again = await convert({ inputs: [input], outDir: out });
    expect(await files(out)).toEqual(first);
    // Byte for byte: a loader that saw the first conversion sees nothing new.
    expect(await bytes(first)).toEqual(firstBytes);
    expect(again.inputs[0]?.staleRemoved).toBe(0);

    await generateOrdersFile(input, { orders: 300, days: 2, seed: 'rerun' });
    const shorter = await convert({ inputs: [input], outDir: out });
    const days = new Set((await files(out)).map((file) => file.split('/').slice(0, 3).join('/')));
    expect(days.size).toBe(2);
    expect(shorter.inputs[0]?.staleRemoved).toBe(3 * 3);
    const [stored] = await query(`SELECT count(*) AS n FROM read_parquet(${glob(out, 'order_summary')})`);
    expect(stored).toEqual({ n: String(shorter.valid) });
    expect(first.some((file) => file.includes('_temporary'))).toBe(false);
  });

  it('fails an unreadable input alone, naming it, while the others convert', async () => {
    const dir = join(root, 'failures');
    await generateOrdersFile(join(dir, 'good.jsonl'), { orders: 100 });
    await writeFile(join(dir, 'corrupt.jsonl.gz'), 'this is not gzip at all');
    await writeFile(join(dir, 'cut.json'), '[{"order_id": 1},\n{"order_id": 2');
    const out = join(dir, 'out');
    const summary = await convert({ inputs: [dir], outDir: out });
    const byName = Object.fromEntries(summary.inputs.map((input) => [relative(dir, input.input), input]));
    expect(summary.failedInputs).toBe(2);
    expect(byName['good.jsonl']?.status).toBe('converted');
    expect(byName['corrupt.jsonl.gz']?.error).toMatch(
      /corrupt\.jsonl\.gz: is not valid gzip .*re-export or re-compress/,
    );
    expect(byName['cut.json']?.error).toMatch(/cut\.json: ends before its closing "\]" \(line 2\)/);
    const written = await files(out);
    expect(written.filter((file) => file.endsWith('.parquet'))).toHaveLength(3 * 7);
    expect(written.some((file) => file.includes('_temporary'))).toBe(false);
  });

  it('keeps inputs of the same name from different folders apart, also across runs', async () => {
    const dir = join(root, 'same-name');
    const out = join(dir, 'out');
    await generateOrdersFile(join(dir, '2025-11-13', 'orders.jsonl'), {
      orders: 50,
      startDate: '2025-11-13',
      days: 1,
    });
    await generateOrdersFile(join(dir, '2025-11-14', 'orders.jsonl'), {
      orders: 70,
      startDate: '2025-11-14',
      days: 1,
    });
    const first = await convert({ inputs: [join(dir, '2025-11-13')], outDir: out });
    const second = await convert({ inputs: [join(dir, '2025-11-14', 'orders.jsonl')], outDir: out });
    expect(second.inputs[0]?.staleRemoved).toBe(0);
    const [stored] = await query(`SELECT count(*) AS n FROM read_parquet(${glob(out, 'order_summary')})`);
    expect(stored).toEqual({ n: String(first.valid + second.valid) });
  });

  it('stops on an abort signal without leaving scratch files, and clears those of killed runs', async () => {
    const dir = join(root, 'abort');
    const out = join(dir, 'out');
    await generateOrdersFile(join(dir, 'orders.jsonl'), { orders: 3000 });
    const abandoned = join(out, '_temporary', '999999999-0d9e2a7c', 'orders.jsonl.partial');
    await mkdir(dirname(abandoned), { recursive: true });
    await writeFile(abandoned, 'left by a killed run');
    const controller = new AbortController();
    controller.abort();
    await expect(
      convert({ inputs: [join(dir, 'orders.jsonl')], outDir: out, signal: controller.signal }),
    ).rejects.toThrow(/aborted/);
    expect(await files(out)).toEqual([]);
  });

  it.each([1, 2])(
    'reads every record as the validator did, even text DuckDB would read otherwise (%i threads)',
    async (threads) => {
      const dir = join(root, `canonical-${threads}`);
      const input = join(dir, 'orders.jsonl');
      await generateOrdersFile(input, { orders: 3, days: 1, updateRate: 0 });
      const [first = '', second = '', third = ''] = (await readFile(input, 'utf8')).trim().split('\n');
      const lines = [
        // A repeated key: JSON.parse keeps the last value, which the validator checked.
        first.replace('{"order_id":', '{"order_id":999999,"order_id":'),
        // An escape in a field outside the contract, and an empty coupon.
        second.replace('"coupon_code":null', '"coupon_code":"","note":"\\ud800 broken"'),
        // Escaped text inside the contract.
        third.replace(/"name":"[^"]*"/, '"name":"J\\u00f6rg \\"JJ\\" M\\u00fcller"'),
      ];
      await writeFile(input, `${lines.join('\n')}\n`);
      const out = join(dir, 'out');
      const summary = await convert({ inputs: [input], outDir: out, threads });
      expect(summary.failedInputs).toBe(0);
      expect(summary.valid).toBe(3);
      const stored = await query(
        `SELECT order_id, customer_name, coupon_code FROM read_parquet(${glob(out, 'order_summary')}) ORDER BY order_id`,
      );
      expect(stored.map((row) => row.order_id)).toEqual(['100001', '100002', '100003']);
      expect(stored[1]?.coupon_code).toBeNull();
      expect(stored[2]?.customer_name).toBe('Jörg "JJ" Müller');
    },
  );

  it('writes into an output folder whose name holds characters DuckDB reads specially', async () => {
    const dir = join(root, 'odd ?name');
    await generateOrdersFile(join(dir, 'orders.jsonl'), { orders: 40, days: 1 });
    const summary = await convert({ inputs: [join(dir, 'orders.jsonl')], outDir: join(dir, "out?x=1&'q'") });
    expect(summary.failedInputs).toBe(0);
    expect(summary.datasets.order_summary.rows).toBe(summary.valid);
  });
});
