// The Redshift batch plan executed for real, on PostgreSQL 15: every statement of the batch runs in
// one transaction on a fresh session (as the Data API runs a BatchExecuteStatement), so the SQL is
// proven to parse and to do what the golden tests say — the versioned upsert, the per-file counts,
// the tie rule, the ledger guard that makes a lost race change nothing, the refusals. Two things
// PostgreSQL cannot do are stood in for: each COPY from S3 becomes INSERTs of its file's rows, and the
// table attributes (DISTSTYLE, SORTKEY, ENCODE) are dropped. GETDATE() is a function in the schema.
// What this does not prove: Redshift itself (see the opt-in live suite).

import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Column } from '../../src/schema/parquet.js';
import type { TableSettings } from '../../src/warehouse/dialect.js';
import { planRedshiftBatch } from '../../src/warehouse/redshift/redshift-driver.js';
import { type BatchFile, RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';

const redshift = new RedshiftSqlCompiler();
const columns: Column[] = [
  { name: 'order_id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
  { name: 'updated_at', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true },
  { name: 'status', type: { kind: 'string' }, nullable: true },
];
type Row = [number | null, string | null, string];
const versioned: TableSettings = { keys: ['order_id'], version: 'updated_at', contract: 'evolve' };

let schema: TestSchema;
beforeEach(async () => {
  schema = await createTestSchema('redshift_batch');
  await schema.admin.query(`SET search_path = ${schema.name}`);
  await schema.admin.query(
    `CREATE FUNCTION getdate() RETURNS timestamp LANGUAGE sql AS 'SELECT now()::timestamp'`,
  );
  await ddl(redshift.ledger.createLedger());
});
afterEach(async () => {
  await schema.drop();
});

/** Runs DDL as the local endpoint would: without Redshift's table attributes. */
async function ddl(sql: string): Promise<void> {
  await schema.admin.query(sql.replace(' DISTSTYLE AUTO SORTKEY AUTO ENCODE AUTO', ''));
}

function at(hour: number): string {
  return `2026-12-01T${String(hour).padStart(2, '0')}:00:00Z`;
}

interface TestFile extends BatchFile {
  data: Row[];
}

function testFile(name: string, data: Row[]): TestFile {
  const uri = `s3://lake/orders/${name}.parquet`;
  return {
    objectUri: uri,
    identity: `etag-${name}`,
    url: uri,
    size: 100,
    manifestUrl: `s3://lake/_lakeload/manifests/${name}.manifest`,
    rows: data.length,
    data,
  };
}

/** One batch on a fresh session, in one transaction; the step that failed, if one did. */
async function runBatch(
  batchId: string,
  table: string,
  settings: TableSettings,
  files: TestFile[],
  fileColumns: Column[] = columns,
): Promise<string | undefined> {
  const { statements } = planRedshiftBatch({
    batchId,
    table,
    settings,
    columns: fileColumns,
    files,
    copyRoleArn: 'default',
  });
  const session = new pg.Client({ connectionString: schema.url });
  await session.connect();
  let step: string | undefined;
  let copied = 0;
  try {
    await session.query('BEGIN');
    for (const statement of statements) {
      step = statement.step;
      if (statement.step === 'copy') {
        // The n-th COPY loads the n-th file into its own table.
        const placeholders = fileColumns.map((_, i) => `$${i + 1}`).join(', ');
        const file = files[copied] as TestFile;
        for (const row of file.data)
          await session.query(`INSERT INTO "__lakeload_file_${copied}" VALUES (${placeholders})`, row);
        copied++;
      } else {
        await session.query(statement.sql);
      }
    }
    await session.query('COMMIT');
    return undefined;
  } catch {
    await session.query('ROLLBACK');
    return step;
  } finally {
    await session.end();
  }
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await schema.admin.query({ text: sql, rowMode: 'array' })).rows;
}

async function ledger(): Promise<unknown[][]> {
  return rows(
    'SELECT object_uri, object_identity, batch_id, rows_inserted::int, rows_updated::int, rows_unchanged::int FROM lakeload_load_history ORDER BY object_uri, batch_id',
  );
}

describe('the Redshift batch on PostgreSQL', () => {
  beforeEach(async () => {
    await ddl(redshift.createTable('orders', columns));
    await schema.admin.query(
      `INSERT INTO orders VALUES (1, '${at(10)}', 'stored-1'), (2, '${at(30 - 10)}', 'stored-2-newer')`,
    );
  });

  it('merges N files: newest version wins across files, older never overwrites stored rows, each file counted', async () => {
    const a = testFile('a', [
      [1, at(15), 'a1'],
      [2, at(12), 'a2-older-than-stored'],
      [3, at(5), 'a3'],
    ]);
    const b = testFile('b', [
      [1, at(18), 'b1'],
      [3, at(6), 'b3'],
    ]);
    expect(await runBatch('b1', 'orders', versioned, [a, b])).toBeUndefined();
    expect(await rows('SELECT order_id::int, status FROM orders ORDER BY order_id')).toEqual([
      [1, 'b1'],
      [2, 'stored-2-newer'],
      [3, 'b3'],
    ]);
    // a: 1 and 3 lose to b, 2 is older than stored. b: 1 replaces the stored row, 3 is new.
    expect(await ledger()).toEqual([
      ['s3://lake/orders/a.parquet', 'etag-a', 'b1', 0, 0, 3],
      ['s3://lake/orders/b.parquet', 'etag-b', 'b1', 1, 1, 0],
    ]);
  });

  it('equal versions: the newest file wins; a tie within one file fails the batch at its own step', async () => {
    const a = testFile('a', [[5, at(7), 'a5']]);
    const b = testFile('b', [[5, at(7), 'b5']]);
    expect(await runBatch('b1', 'orders', versioned, [a, b])).toBeUndefined();
    expect(await rows('SELECT status FROM orders WHERE order_id = 5')).toEqual([['b5']]);
    const tied = testFile('tied', [
      [6, at(7), 'x'],
      [6, at(7), 'y'],
    ]);
    expect(await runBatch('b2', 'orders', versioned, [tied])).toBe('ties');
    // A tie below the newest version decides nothing: the newest row wins.
    const below = testFile('below', [
      [6, at(7), 'x'],
      [6, at(7), 'y'],
      [6, at(8), 'z'],
    ]);
    expect(await runBatch('b3', 'orders', versioned, [below])).toBeUndefined();
    expect(await rows('SELECT status FROM orders WHERE order_id = 6')).toEqual([['z']]);
  });

  it('a batch whose files are in the ledger already changes nothing and commits', async () => {
    const a = testFile('a', [[1, at(15), 'a1']]);
    expect(await runBatch('b1', 'orders', versioned, [a])).toBeUndefined();
    const before = await rows('SELECT order_id::int, status FROM orders ORDER BY order_id');
    // A second loader of the same file, and a batch where only one of two files was loaded.
    const c = testFile('c', [[9, at(1), 'c9']]);
    expect(await runBatch('b2', 'orders', versioned, [a])).toBeUndefined();
    expect(await runBatch('b3', 'orders', versioned, [a, c])).toBeUndefined();
    expect(await rows('SELECT order_id::int, status FROM orders ORDER BY order_id')).toEqual(before);
    expect(await ledger()).toEqual([['s3://lake/orders/a.parquet', 'etag-a', 'b1', 0, 1, 0]]);
    // Read back by batch id, the driver sees c missing and loads it again alone.
    expect(await runBatch('b4', 'orders', versioned, [c])).toBeUndefined();
    expect(await rows('SELECT status FROM orders WHERE order_id = 9')).toEqual([['c9']]);
  });

  it('a row without a key fails the batch at its own step, and nothing is written', async () => {
    const bad = testFile('bad', [
      [4, at(1), 'ok'],
      [null, at(1), 'no key'],
    ]);
    expect(await runBatch('b1', 'orders', versioned, [bad])).toBe('null-keys');
    expect(await rows('SELECT count(*)::int FROM orders')).toEqual([[2]]);
    expect(await ledger()).toEqual([]);
  });

  it('unversioned keyed: a key repeated in a file fails the batch instead of guessing; across files the newest wins', async () => {
    const keyed: TableSettings = { keys: ['order_id'], contract: 'evolve' };
    const repeated = testFile('rep', [
      [1, at(1), 'x'],
      [1, at(2), 'y'],
    ]);
    expect(await runBatch('b1', 'orders', keyed, [repeated])).toBe('ties');
    const older = testFile('older', [[1, at(1), 'older']]);
    const newer = testFile('newer', [[1, at(1), 'replaced']]);
    expect(await runBatch('b2', 'orders', keyed, [older, newer])).toBeUndefined();
    expect(await rows('SELECT status FROM orders WHERE order_id = 1')).toEqual([['replaced']]);
    expect(await ledger()).toEqual([
      ['s3://lake/orders/newer.parquet', 'etag-newer', 'b2', 0, 1, 0],
      ['s3://lake/orders/older.parquet', 'etag-older', 'b2', 0, 0, 1],
    ]);
  });

  it('keyless tables append every row of every file', async () => {
    const append: TableSettings = { keys: [], contract: 'evolve' };
    const files = [
      testFile('x', [[1, at(1), 'x']]),
      testFile('y', [
        [1, at(1), 'y'],
        [2, at(1), 'y'],
      ]),
    ];
    expect(await runBatch('b1', 'orders', append, files)).toBeUndefined();
    expect(await rows('SELECT count(*)::int FROM orders')).toEqual([[5]]);
    expect(await ledger()).toEqual([
      ['s3://lake/orders/x.parquet', 'etag-x', 'b1', 1, 0, 0],
      ['s3://lake/orders/y.parquet', 'etag-y', 'b1', 2, 0, 0],
    ]);
  });

  it('a file that stages other than the rows its footer declares fails the batch at its own step', async () => {
    const short = { ...testFile('short', [[7, at(1), 'x']]), rows: 2 };
    expect(await runBatch('b1', 'orders', versioned, [short])).toBe('row-counts');
    expect(await rows('SELECT count(*)::int FROM orders')).toEqual([[2]]);
  });
});

it('hostile table, column and object names stay names and values, backslashes included', async () => {
  const table = 'we"ird; DROP TABLE orders; --';
  const hostile: Column[] = [
    { name: 'select', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
    { name: 'upd"ated', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true },
    { name: "naïve 'col'", type: { kind: 'string' }, nullable: true },
  ];
  await ddl(redshift.createTable(table, hostile));
  const uri = "s3://lake/year=2025/o'brien\\x'); DROP TABLE lakeload_load_history; --.parquet";
  const file: TestFile = {
    objectUri: uri,
    identity: "e'\\",
    url: 's3://lake/x.parquet',
    size: 1,
    manifestUrl: 's3://lake/_lakeload/manifests/x.manifest',
    data: [[1, at(1), "it's \\ fine"]],
  };
  expect(
    await runBatch(
      'b1',
      table,
      { keys: ['select'], version: 'upd"ated', contract: 'evolve' },
      [file],
      hostile,
    ),
  ).toBeUndefined();
  expect(await rows(`SELECT "naïve 'col'" FROM "we""ird; DROP TABLE orders; --"`)).toEqual([
    ["it's \\ fine"],
  ]);
  expect(await rows('SELECT object_uri, object_identity FROM lakeload_load_history')).toEqual([
    [uri, "e'\\"],
  ]);
  // The statement the driver reads the ledger with finds the row by the same quoting.
  expect((await schema.admin.query(redshift.ledgerRowsOf([file]))).rows).toHaveLength(1);
});
