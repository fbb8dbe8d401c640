// The whole AWS path offline: files uploaded to the local S3 server, real-shaped notifications
// through the local queue into the REAL Lambda bundle (packages/lambda/dist/lambda.zip), loaded by
// the Redshift dialect through the local Data API endpoint into PostgreSQL. Each test its own schema.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { POSTGRES } from '@lakeload/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rehearse } from '../../src/index.js';

let dir: string;
let admin: pg.Client;
const schemas: string[] = [];
const folder = 'year=2025/month=11/day=10/order_summary';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rehearse-'));
  admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
});
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

function schemaFor(name: string): string {
  const schema = `rehearse_${name}_${process.pid}`;
  schemas.push(schema);
  return schema;
}

/** A lake folder of order_summary files, `ids` per file, written by DuckDB. */
async function lake(name: string, files: { ids: [number, number]; status?: string }[]): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, folder), { recursive: true });
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  for (const [index, { ids, status = 'placed' }] of files.entries()) {
    const path = join(root, folder, `part ${index}.parquet`);
    await connection.run(
      `COPY (SELECT CAST(range AS BIGINT) AS order_id, '${status}' AS status, TIMESTAMP '2025-11-10 10:00:00' + INTERVAL (${index}) HOUR AS updated_at FROM range(${ids[0]}, ${ids[1] + 1})) TO '${path}' (FORMAT parquet)`,
    );
  }
  connection.closeSync();
  duck.closeSync();
  return root;
}

async function rows(schema: string) {
  return (
    await admin.query(`SELECT order_id::int AS id, status FROM ${schema}.order_summary ORDER BY order_id`)
  ).rows;
}

describe('lakeload rehearse (the AWS path offline)', () => {
  it('loads uploads through the real handler: one batch for a micro-batch of files, each file credited with its own rows', async () => {
    const schema = schemaFor('batch');
    const report = await rehearse({
      lake: await lake('batch', [{ ids: [1, 3] }, { ids: [4, 6] }, { ids: [7, 9] }]),
      postgresUrl: POSTGRES,
      schema,
    });
    expect((await rows(schema)).map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(report.tables).toEqual([{ table: 'order_summary', rows: 9 }]);
    expect(report.ledger).toEqual([{ status: 'loaded', files: 3 }]);
    expect(report.delivery.invocations).toBe(1);
    expect(report.delivery.failedReceives).toBe(0);
    // One transaction; one COPY per file, so that every staged row carries its file.
    expect(report.statements.batches).toBe(1);
    expect(report.statements.copies).toBe(3);
    expect(report.metrics['FilesLoaded{table=order_summary}']).toBe(3);
    expect(report.metrics['RowsInserted{table=order_summary}']).toBe(9);
    const loaded = report.notifications.filter(
      (n) => n.MessageAttributes.event_type?.StringValue === 'loaded',
    );
    expect(loaded).toHaveLength(3);
    // Each file's own rows, in the SNS message as in the ledger (not the batch's on its last file).
    expect(loaded.map((n) => n.Subject?.replace(/\).*$/, ')'))).toEqual([
      'lakeload: loaded order_summary (+3 new, 0 updated)',
      'lakeload: loaded order_summary (+3 new, 0 updated)',
      'lakeload: loaded order_summary (+3 new, 0 updated)',
    ]);
    expect(loaded[0]?.MessageAttributes.table?.StringValue).toBe('order_summary');
    expect(loaded.every((n) => (n.Subject ?? '').length <= 100)).toBe(true);
    // The real event keys arrived URL-encoded ("part 0" → "part+0") and were decoded by the handler.
    expect(report.delivery.batches[0]?.records.flatMap((r) => r.keys)).toContain(`${folder}/part 0.parquet`);
  });

  it('serializes concurrent function instances loading one existing table (LOCK in each load batch)', async () => {
    const schema = schemaFor('concurrent');
    await rehearse({ lake: await lake('first', [{ ids: [1, 1] }]), postgresUrl: POSTGRES, schema });
    const report = await rehearse({
      lake: await lake('concurrent', [{ ids: [2, 4] }, { ids: [3, 5] }, { ids: [6, 7] }, { ids: [7, 9] }]),
      postgresUrl: POSTGRES,
      schema,
      fresh: false,
      concurrency: 2,
      batchSize: 1,
    });
    expect(report.delivery.failedReceives).toBe(0);
    expect(report.ledger).toEqual([{ status: 'loaded', files: 5 }]);
    expect((await rows(schema)).map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(report.statements.copies).toBe(4);
  });

  it('under SERIALIZABLE isolation, concurrent instances loading different tables commit without 1023', async () => {
    const schema = schemaFor('serializable');
    const root = join(dir, 'serializable');
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const write = async (part: string, files: number, first: number) => {
      for (const table of ['clicks', 'views']) {
        const folder = join(root, part, 'year=2025/month=11/day=10', table);
        await mkdir(folder, { recursive: true });
        for (let file = first; file < first + files; file++)
          await connection.run(
            `COPY (SELECT range AS id, '${table}' AS page FROM range(${file * 10}, ${file * 10 + 10})) TO '${join(folder, `part-${file}.parquet`)}' (FORMAT parquet)`,
          );
      }
    };
    await write('first', 1, 0);
    await write('then', 3, 1);
    connection.closeSync();
    duck.closeSync();
    // The tables and the ledger exist first (a concurrent CREATE race is another test's).
    await rehearse({ lake: join(root, 'first'), postgresUrl: POSTGRES, schema });
    const report = await rehearse({
      lake: join(root, 'then'),
      postgresUrl: POSTGRES,
      schema,
      fresh: false,
      isolation: 'serializable',
      concurrency: 2,
      batchSize: 1,
    });
    expect(report.delivery.failedReceives).toBe(0);
    // The driver read the level and locked the ledger first: no load aborted another.
    expect(report.statements.failed).toBe(0);
    expect(report.tables).toEqual([
      { table: 'clicks', rows: 40 },
      { table: 'views', rows: 40 },
    ]);
  });

  it('gets concurrent first loads of a new table all loaded, a lost CREATE race redelivered', async () => {
    // Two instances creating the table at once can collide in PostgreSQL's catalog (23505 on
    // pg_type); the dialect calls that permanent, so the file goes back through SQS and loads then.
    const schema = schemaFor('race');
    const report = await rehearse({
      lake: await lake('race', [{ ids: [1, 2] }, { ids: [3, 4] }]),
      postgresUrl: POSTGRES,
      schema,
      concurrency: 2,
      batchSize: 1,
    });
    expect(report.delivery.deadLetters).toEqual([]);
    expect(report.ledger.find((entry) => entry.status === 'loaded')?.files).toBe(2);
    expect((await rows(schema)).map((row) => row.id)).toEqual([1, 2, 3, 4]);
  });

  it('loads nothing twice when every event is delivered twice', async () => {
    const schema = schemaFor('dupes');
    const report = await rehearse({
      lake: await lake('dupes', [{ ids: [1, 3] }, { ids: [4, 6] }]),
      postgresUrl: POSTGRES,
      schema,
      duplicateEvents: true,
      batchSize: 2,
    });
    expect((await rows(schema)).map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(report.ledger).toEqual([{ status: 'loaded', files: 2 }]);
    expect(report.metrics['Duplicates{table=order_summary}']).toBe(2);
    expect(report.delivery.failedReceives).toBe(0);
  });

  it('fails only the corrupt file of an SQS batch, redelivers it, then dead-letters it', async () => {
    const schema = schemaFor('corrupt');
    const root = await lake('corrupt', [{ ids: [1, 2] }, { ids: [3, 4] }]);
    await writeFile(join(root, folder, 'broken.parquet'), 'order_id,status\n1,placed\n');
    const report = await rehearse({ lake: root, postgresUrl: POSTGRES, schema, maxReceiveCount: 2 });
    expect((await rows(schema)).map((row) => row.id)).toEqual([1, 2, 3, 4]);
    const [first, second] = report.delivery.batches;
    const broken = first?.records.find((record) => record.keys[0]?.endsWith('broken.parquet'));
    expect(first?.records).toHaveLength(4); // the s3:TestEvent and three uploads
    expect(first?.failed).toEqual([broken?.messageId]);
    expect(second?.records.map((record) => [record.messageId, record.receiveCount])).toEqual([
      [broken?.messageId, 2],
    ]);
    expect(report.delivery.deadLetters).toEqual([
      expect.objectContaining({
        messageId: broken?.messageId,
        keys: [`${folder}/broken.parquet`],
        receives: 2,
      }),
    ]);
    expect(report.warehouseDeadLetters).toBeGreaterThanOrEqual(1);
  });

  it('sends back, unstarted, what arrives when the function has less time left than its safety margin', async () => {
    const schema = schemaFor('late');
    const report = await rehearse({
      lake: await lake('late', [{ ids: [1, 2] }]),
      postgresUrl: POSTGRES,
      schema,
      timeoutMs: 1000, // below the handler's default 10 s safety margin
      maxReceiveCount: 2,
    });
    expect(report.delivery.batches[0]?.failed).toHaveLength(1);
    expect(report.delivery.deadLetters.map((letter) => letter.keys)).toEqual([[`${folder}/part 0.parquet`]]);
    expect(report.statements.copies).toBe(0);
    expect(report.ledger).toEqual([]);
  });

  it('retries a FAILED statement of a retryable class (1023) and loads', async () => {
    const schema = schemaFor('retry');
    const report = await rehearse({
      lake: await lake('retry', [{ ids: [1, 3] }]),
      postgresUrl: POSTGRES,
      schema,
      injectFailures: [
        {
          match: /^COPY /,
          error:
            'ERROR: 1023 Serializable isolation violation on table - 100123, transactions forming the cycle are: 7, 8 (pid:1)',
        },
      ],
    });
    expect(report.statements.failed).toBe(1);
    expect(report.delivery.failedReceives).toBe(0);
    expect(report.ledger).toEqual([{ status: 'loaded', files: 1 }]);
    expect((await rows(schema)).map((row) => row.id)).toEqual([1, 2, 3]);
  });

  it('dead-letters a FAILED statement of a permanent class without retrying it in place', async () => {
    const schema = schemaFor('permanent');
    // 70,000 bytes do not fit Redshift's VARCHAR(65535), which counts bytes: COPY fails the file.
    const report = await rehearse({
      lake: await lake('permanent', [{ ids: [1, 2], status: 'x'.repeat(70_000) }]),
      postgresUrl: POSTGRES,
      schema,
      maxReceiveCount: 2,
    });
    expect(report.delivery.deadLetters).toHaveLength(1);
    expect(report.delivery.deadLetters[0]?.receives).toBe(2);
    // One FAILED load batch per delivery: the loader did not retry a permanent error itself.
    expect(report.statements.failed).toBe(2);
    expect(report.warehouseDeadLetters).toBeGreaterThanOrEqual(1);
    const failed = report.notifications.filter(
      (n) => n.MessageAttributes.event_type?.StringValue === 'failed',
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(await rows(schema)).toEqual([]);
  });
});
