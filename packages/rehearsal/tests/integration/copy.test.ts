// COPY … FROM 's3://…' FORMAT AS PARQUET through the endpoint: Parquet files written by DuckDB,
// uploaded to the local S3 server, loaded into PostgreSQL by position, checked like Redshift checks.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchExecuteStatementCommand,
  ExecuteStatementCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalS3,
  type RedshiftDataEndpoint,
  startLocalS3,
  startRedshiftDataEndpoint,
} from '../../src/index.js';
import { localClients, waitFor } from '../helpers.js';

let s3: LocalS3;
let endpoint: RedshiftDataEndpoint;
let data: RedshiftDataClient;
let storage: S3Client;
let schema: TestSchema;
let dir: string;
const target = { WorkgroupName: 'rehearsal', Database: 'test' };
const role = "IAM_ROLE 'arn:aws:iam::000000000000:role/copy'";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rehearsal-copy-'));
  s3 = await startLocalS3({ buckets: ['lake'] });
  endpoint = await startRedshiftDataEndpoint({ connectionString: POSTGRES, s3: s3.objects });
  ({ data, storage } = localClients(endpoint, s3));
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  const write = (query: string, name: string) =>
    connection.run(`COPY (${query}) TO '${join(dir, name)}' (FORMAT parquet)`);
  await write(
    "SELECT range AS id, 'n' || range AS name, CAST(range * 1.5 AS DECIMAL(10,2)) AS amount FROM range(1, 4)",
    'three.parquet',
  );
  await write("SELECT 10 AS id, 'ten' AS name, CAST(1 AS DECIMAL(10,2)) AS amount", 'ten.parquet');
  await write('SELECT 1 AS id, 2 AS other', 'two-columns.parquet');
  await write("SELECT 1 AS id, {'a': 1, 'b': [1, 2]} AS doc", 'nested.parquet');
  await write("SELECT 1 AS id, 'éé' AS name", 'wide.parquet');
  await write("SELECT 1 AS id, '\\x00\\x5Chi'::BLOB AS bytes", 'bytes.parquet');
  await write("SELECT 1 AS id, TIME '10:00:00' AS at", 'time.parquet');
  await write(
    `SELECT ${Array.from({ length: 1100 }, (_, index) => `${index} AS c${index}`).join(', ')}`,
    'columns.parquet',
  );
  connection.closeSync();
  duck.closeSync();
  for (const name of [
    'three.parquet',
    'ten.parquet',
    'two-columns.parquet',
    'nested.parquet',
    'wide.parquet',
    'bytes.parquet',
    'time.parquet',
    'columns.parquet',
  ]) {
    await storage.send(
      new PutObjectCommand({ Bucket: 'lake', Key: `in/${name}`, Body: await readFile(join(dir, name)) }),
    );
  }
  await storage.send(
    new PutObjectCommand({
      Bucket: 'lake',
      Key: 'in/three.parquet.bak',
      Body: await readFile(join(dir, 'ten.parquet')),
    }),
  );
});
afterAll(async () => {
  data.destroy();
  storage.destroy();
  await endpoint.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  schema = await createTestSchema('rscopy');
  endpoint.useSchema(schema.name);
});
afterEach(async () => {
  await schema.drop();
});

async function run(sql: string) {
  const { Id } = await data.send(new ExecuteStatementCommand({ ...target, Sql: sql }));
  return waitFor(data, Id as string);
}

async function manifest(key: string, entries: { key: string; length: number }[]) {
  const body = JSON.stringify({
    entries: entries.map((entry) => ({
      url: `s3://lake/${entry.key}`,
      mandatory: true,
      meta: { content_length: entry.length },
    })),
  });
  await storage.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
}

async function size(name: string) {
  return (await readFile(join(dir, name))).length;
}

describe('COPY from S3 Parquet', () => {
  it('loads a file of 1,100 columns', async () => {
    const columns = Array.from({ length: 1100 }, (_, index) => `c${index} INTEGER`);
    await run(`CREATE TABLE t (${columns.join(', ')})`);
    const described = await run(`COPY t FROM 's3://lake/in/columns.parquet' ${role} FORMAT AS PARQUET`);
    expect([described.Status, described.Error]).toEqual(['FINISHED', undefined]);
    const rows = await schema.admin.query(`SELECT c0, c549, c1099 FROM ${schema.name}.t`);
    expect(rows.rows).toEqual([{ c0: 0, c549: 549, c1099: 1099 }]);
  });

  it('loads the manifest files by position, whatever the column names', async () => {
    await run('CREATE TABLE t (a BIGINT, b VARCHAR(20), c DECIMAL(10,2))');
    await manifest('m/ok.json', [
      { key: 'in/three.parquet', length: await size('three.parquet') },
      { key: 'in/ten.parquet', length: await size('ten.parquet') },
    ]);
    const described = await run(`COPY t FROM 's3://lake/m/ok.json' ${role} FORMAT AS PARQUET MANIFEST`);
    expect(described.Status).toBe('FINISHED');
    expect(described.ResultRows).toBe(4);
    const rows = await schema.admin.query(`SELECT a::int, b, c::text FROM ${schema.name}.t ORDER BY a`);
    expect(rows.rows).toEqual([
      { a: 1, b: 'n1', c: '1.50' },
      { a: 2, b: 'n2', c: '3.00' },
      { a: 3, b: 'n3', c: '4.50' },
      { a: 10, b: 'ten', c: '1.00' },
    ]);
    const copy = endpoint.log().find((statement) => statement.id === described.Id);
    expect(copy?.kind).toBe('copy');
    expect(copy?.copy?.files).toEqual(['s3://lake/in/three.parquet', 's3://lake/in/ten.parquet']);
  });

  it('fails when a manifest content_length does not match the object, loading nothing', async () => {
    await run('CREATE TABLE t (a BIGINT, b VARCHAR(20), c DECIMAL(10,2))');
    await manifest('m/bad.json', [
      { key: 'in/ten.parquet', length: await size('ten.parquet') },
      { key: 'in/three.parquet', length: 12 },
    ]);
    const described = await run(`COPY t FROM 's3://lake/m/bad.json' ${role} FORMAT AS PARQUET MANIFEST`);
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(/content_length 12 of s3:\/\/lake\/in\/three.parquet does not match/);
    expect((await schema.admin.query(`SELECT count(*)::int AS n FROM ${schema.name}.t`)).rows[0].n).toBe(0);
  });

  it('fails on a column-count mismatch, as matching is by position', async () => {
    await run('CREATE TABLE t (a BIGINT, b VARCHAR(20), c DECIMAL(10,2))');
    const described = await run(`COPY t FROM 's3://lake/in/two-columns.parquet' ${role} FORMAT AS PARQUET`);
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(/has 2 columns but COPY into "t" expects 3/);
  });

  it('reads FROM as a prefix, like Redshift: x.parquet also matches x.parquet.bak', async () => {
    await run('CREATE TABLE t (a BIGINT, b VARCHAR(20), c DECIMAL(10,2))');
    const described = await run(`COPY t FROM 's3://lake/in/three.parquet' ${role} FORMAT AS PARQUET`);
    expect(described.ResultRows).toBe(4);
  });

  it('loads nested columns into SUPER only with SERIALIZETOJSON', async () => {
    await run('CREATE TABLE n (id INT, doc SUPER)');
    const without = await run(`COPY n FROM 's3://lake/in/nested.parquet' ${role} FORMAT AS PARQUET`);
    expect(without.Error).toMatch(/SUPER column with SERIALIZETOJSON/);
    const with_ = await run(
      `COPY n FROM 's3://lake/in/nested.parquet' ${role} FORMAT AS PARQUET SERIALIZETOJSON`,
    );
    expect(with_.Status).toBe('FINISHED');
    const rows = await schema.admin.query(`SELECT doc FROM ${schema.name}.n`);
    expect(rows.rows[0].doc).toEqual({ a: 1, b: [1, 2] });
  });

  it('refuses a Parquet column whose type does not fit the target column, as Redshift does', async () => {
    // BIGINT into VARCHAR loaded through text before; Redshift fails the file instead.
    await run('CREATE TABLE t (a VARCHAR(20), b VARCHAR(20), c DECIMAL(10,2))');
    const described = await run(`COPY t FROM 's3://lake/in/ten.parquet' ${role} FORMAT AS PARQUET`);
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(
      /File 's3:\/\/lake\/in\/ten.parquet' has an incompatible Parquet schema for column 'a'\. Column type: character varying\(20\), Parquet schema: INT32/,
    );
  });

  it('loads binary into VARBYTE byte for byte, and refuses TIME', async () => {
    await run('CREATE TABLE b (id INT, bytes VARBYTE(16))');
    const described = await run(`COPY b FROM 's3://lake/in/bytes.parquet' ${role} FORMAT AS PARQUET`);
    expect(described.Status).toBe('FINISHED');
    const rows = await schema.admin.query(`SELECT encode(bytes, 'hex') AS hex FROM ${schema.name}.b`);
    expect(rows.rows).toEqual([{ hex: '005c6869' }]);
    await run('CREATE TABLE tm (id INT, at VARCHAR(20))');
    const time = await run(`COPY tm FROM 's3://lake/in/time.parquet' ${role} FORMAT AS PARQUET`);
    expect(time.Error).toMatch(/column "at": Parquet TIME columns cannot be loaded/);
  });

  it('counts VARCHAR lengths in bytes, as Redshift does', async () => {
    await run('CREATE TABLE w (id INT, name VARCHAR(3))');
    const described = await run(`COPY w FROM 's3://lake/in/wide.parquet' ${role} FORMAT AS PARQUET`);
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(/String length exceeds DDL length/);
  });

  it('stages into a temp table inside a batch, the whole load one transaction', async () => {
    await run('CREATE TABLE t (a BIGINT, b VARCHAR(20), c DECIMAL(10,2))');
    const { Id } = await data.send(
      new BatchExecuteStatementCommand({
        ...target,
        Sqls: [
          'CREATE TEMP TABLE s (x BIGINT, y VARCHAR(20), z DECIMAL(10,2))',
          `COPY s FROM 's3://lake/in/ten.parquet' ${role} FORMAT AS PARQUET`,
          'INSERT INTO t (a, b, c) SELECT x, y, z FROM s',
          'INSERT INTO t (a) VALUES (1 / 0)',
        ],
      }),
    );
    const described = await waitFor(data, Id as string);
    expect(described.SubStatements?.map((s) => s.Status)).toEqual([
      'FINISHED',
      'FINISHED',
      'FINISHED',
      'FAILED',
    ]);
    expect((await schema.admin.query(`SELECT count(*)::int AS n FROM ${schema.name}.t`)).rows[0].n).toBe(0);
  });
});
