// PostgreSQL's reader ranks a keyed batch before sending it, then reads the files again leaving the
// losers out: a file that changes in between must fail the batch, whether the rows go into staging
// or (into an empty table) straight into the target.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { Column } from '../../src/schema/parquet.js';
import type { Driver, LoadJob } from '../../src/warehouse/dialect.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { columns, versionedJob } from '../versioned-jobs.js';

let root: string;
let schema: TestSchema;
let driver: Driver;
let writer: DuckDBInstance;

async function write(name: string, select: string): Promise<void> {
  const connection = await writer.connect();
  await connection.run(`COPY (${select}) TO '${join(root, `${name}.parquet`)}' (FORMAT parquet)`);
  connection.closeSync();
}

const job = (name: string, rows: number): LoadJob => versionedJob(root, name, rows);

/** A job whose file is as large as the table, so that the driver splits it by the stored key range. */
const large = (name: string, rows: number): LoadJob => {
  const plain = job(name, rows);
  return { ...plain, object: { ...plain.object, size: 1 << 20 } };
};

async function ids(): Promise<string[]> {
  return (await driver.query('SELECT id, v FROM t ORDER BY id')).map((row) => `${row.id}:${row.v}`);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-ranked-'));
  schema = await createTestSchema('lakeload_ranked');
  driver = await postgresWarehouse({ connectionString: schema.url });
  writer = await DuckDBInstance.create(':memory:');
  await driver.runDdl([driver.compiler.createTable('t', columns), driver.compiler.ledger.createLedger()]);
  await write('a', 'SELECT range::INTEGER AS id, 1 AS v FROM range(3)');
  await write('b', 'SELECT range::INTEGER + 2 AS id, 2 AS v FROM range(3)');
});

afterEach(async () => {
  vi.restoreAllMocks();
  await driver.close();
  await schema.drop();
  writer.closeSync();
  await rm(root, { recursive: true, force: true });
});

it('ranks a batch into an empty table and into a stored one alike: newest per key, counted per file', async () => {
  expect(await driver.load([job('a', 3), job('b', 3)])).toEqual([
    { status: 'loaded', inserted: 2, updated: 0, unchanged: 1 },
    { status: 'loaded', inserted: 3, updated: 0, unchanged: 0 },
  ]);
  expect(await ids()).toEqual(['0:1', '1:1', '2:2', '3:2', '4:2']);
  // Stored rows now: an older staged row leaves one unchanged, a newer one replaces it.
  await write('c', 'SELECT * FROM (VALUES (0, 0), (4, 3), (4, 5), (9, 1)) AS r(id, v)');
  expect(await driver.load([job('c', 4)])).toEqual([
    { status: 'loaded', inserted: 1, updated: 1, unchanged: 2 },
  ]);
  expect(await ids()).toEqual(['0:1', '1:1', '2:2', '3:2', '4:5', '9:1']);
});

it.each([
  ['an empty table (rows go straight in)', false, job],
  ['a table with stored rows (rows go through staging)', true, job],
  ['a table with stored rows, split by their key range (the others go straight in)', true, large],
])('fails the batch when a file changes between ranking and sending, into %s', async (_name, stored, of) => {
  if (stored) {
    await write('old', 'SELECT 1 AS id, 1 AS v');
    await driver.load([job('old', 1)]);
  }
  const stream = DuckDBConnection.prototype.stream;
  vi.spyOn(DuckDBConnection.prototype, 'stream').mockImplementation(async function (
    this: DuckDBConnection,
    ...args: Parameters<DuckDBConnection['stream']>
  ) {
    // Same row count, other keys: left out by position, the losers would let these rows in.
    await write('b', 'SELECT range::INTEGER + 10 AS id, 2 AS v FROM range(3)');
    return stream.apply(this, args);
  });
  await expect(driver.load([of('a', 3), of('b', 3)])).rejects.toThrow(
    /b\.parquet: a file changed while loading/,
  );
  vi.restoreAllMocks();
  expect(await ids()).toEqual(stored ? ['1:1'] : []);
  expect(
    await driver.query("SELECT object_uri FROM lakeload_load_history WHERE object_identity = 'a'"),
  ).toEqual([]);
});

it('refuses a row without a key into an empty table as into any other, naming the file', async () => {
  await write('nokey', 'SELECT * FROM (VALUES (NULL, 1), (1, 1)) AS r(id, v)');
  await expect(driver.load([job('nokey', 2)])).rejects.toThrow(
    /nokey\.parquet: 1 of 2 rows have no value in the key \(id\)/,
  );
  expect(await ids()).toEqual([]);
});

it('stages every row where the reader would compare keys otherwise than PostgreSQL (jsonb normalizes)', async () => {
  const json: Column[] = [
    { name: 'id', type: { kind: 'json' }, nullable: true },
    { name: 'v', type: { kind: 'int', bits: 32, signed: true }, nullable: true },
  ];
  await driver.runDdl([driver.compiler.createTable('tj', json)]);
  await write('json', `SELECT * FROM (VALUES ('{"a":1}'::JSON, 1), ('{"a": 1}'::JSON, 2)) AS r(id, v)`);
  const jsonJob = { ...versionedJob(root, 'json', 2), table: 'tj', columns: json };
  // One key to PostgreSQL: the newer row wins, one row stored.
  expect(await driver.load([jsonJob])).toEqual([{ status: 'loaded', inserted: 1, updated: 0, unchanged: 1 }]);
  expect(await driver.query('SELECT id::text AS id, v FROM tj')).toEqual([{ id: '{"a": 1}', v: 2 }]);
});

it('stores the same values into an empty table as into a populated one where the target type is wider', async () => {
  const narrow: Column[] = [
    { name: 'id', type: { kind: 'int', bits: 32, signed: true }, nullable: true },
    { name: 'x', type: { kind: 'float', bits: 32 }, nullable: true },
  ];
  const wide: Column[] = [
    narrow[0] as Column,
    { name: 'x', type: { kind: 'float', bits: 64 }, nullable: true },
  ];
  await driver.runDdl([driver.compiler.createTable('tf', wide)]);
  await write('f1', 'SELECT 1 AS id, 0.1::FLOAT AS x');
  await write('f2', 'SELECT 2 AS id, 0.1::FLOAT AS x');
  const floatJob = (name: string) => ({
    ...versionedJob(root, name, 1),
    table: 'tf',
    columns: narrow,
    settings: { keys: ['id'], contract: 'evolve' as const },
  });
  await driver.load([floatJob('f1')]);
  await driver.load([floatJob('f2')]);
  const stored = await driver.query('SELECT id, x::text AS x FROM tf ORDER BY id');
  expect(stored).toHaveLength(2);
  expect(stored[0]?.x).toBe(stored[1]?.x);
});

/** The reader's queries that choose rows by the stored key range. */
function rangeStreams(): string[] {
  const seen: string[] = [];
  const stream = DuckDBConnection.prototype.stream;
  vi.spyOn(DuckDBConnection.prototype, 'stream').mockImplementation(async function (
    this: DuckDBConnection,
    ...args: Parameters<DuckDBConnection['stream']>
  ) {
    const where = args[0].split(' WHERE ').at(-1) ?? '';
    if (where.includes('BETWEEN')) seen.push(where);
    return stream.apply(this, args);
  });
  return seen;
}

it('sends the rows whose key lies outside the stored range straight into the table, staging only the others', async () => {
  await driver.load([job('a', 3)]);
  const streams = rangeStreams();
  // 0 is older than stored, 1 newer, 7 and 8 outside the stored ids 0..2 (8 twice, the newer kept).
  await write('c', 'SELECT * FROM (VALUES (0, 0), (1, 5), (7, 1), (8, 1), (8, 2)) AS r(id, v)');
  expect(await driver.load([large('c', 5)])).toEqual([
    { status: 'loaded', inserted: 2, updated: 1, unchanged: 2 },
  ]);
  expect(streams).toEqual(['NOT (p."id" BETWEEN 0 AND 2)', '(p."id" BETWEEN 0 AND 2)']);
  expect(await ids()).toEqual(['0:1', '1:5', '2:1', '7:1', '8:2']);
});

it('sends every row straight in when no stored row has a key value, and keeps the stored ones', async () => {
  await driver.query('INSERT INTO t VALUES (NULL, 1)');
  const streams = rangeStreams();
  expect(await driver.load([large('a', 3)])).toEqual([
    { status: 'loaded', inserted: 3, updated: 0, unchanged: 0 },
  ]);
  expect(streams).toEqual([]);
  expect(await ids()).toEqual(['0:1', '1:1', '2:1', 'null:1']);
});
