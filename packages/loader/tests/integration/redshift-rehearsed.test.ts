// What only Redshift does, through the real driver, the rehearsal's Data API endpoint and a local
// S3 API server (see ../redshift-rehearsal.ts); what every warehouse shares is the contract suite.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { Loader } from '../../src/load.js';
import type { ObjectStore } from '../../src/sources/store.js';
import { type RehearsedRedshift, rehearsedRedshift } from '../redshift-rehearsal.js';

let redshift: RehearsedRedshift;
let dir: string;
let writer: DuckDBInstance;

beforeEach(async () => {
  redshift = await rehearsedRedshift();
  dir = await mkdtemp(join(tmpdir(), 'lakeload-rs-'));
  writer = await DuckDBInstance.create(':memory:');
});
afterEach(async () => {
  await redshift.driver.close();
  await redshift.cleanup();
  writer.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** The bytes of a Parquet file holding the rows of a SELECT. */
async function parquet(select: string): Promise<Uint8Array> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.parquet`);
  const connection = await writer.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  return readFile(path);
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await redshift.driver.query(sql)).map((row) => Object.values(row));
}

describe('Redshift, rehearsed', () => {
  it('skips an event whose object is overwritten after its footer was read: the new bytes load once, under their own event', async () => {
    const loader = new Loader({ driver: redshift.driver });
    const first = await redshift.publish(
      'clicks/c.parquet',
      await parquet(`SELECT * FROM (VALUES (1, 'old')) AS v(id, page)`),
      '2026-12-01T10:00:00Z',
    );
    const newer = await parquet(`SELECT * FROM (VALUES (2, 'new'), (3, 'new')) AS v(id, page)`);
    let second: ObjectRef | undefined;
    // The upload lands right after the loader read the first event's footer, before its COPY.
    const store: ObjectStore = {
      ...redshift.store,
      async open(ref) {
        const source = await redshift.store.open(ref);
        return {
          ...source,
          async close() {
            await source.close();
            second ??= await redshift.publish('clicks/c.parquet', newer, '2026-12-01T10:00:01Z');
          },
        };
      },
    };
    const [stale] = await loader.loadObjects([first], store);
    expect(stale).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/superseded this event/),
    });
    const [fresh] = await loader.loadObjects([second as ObjectRef], redshift.store);
    expect(fresh).toMatchObject({ status: 'loaded', inserted: 2 });
    expect(await rows('SELECT id, page FROM clicks ORDER BY id')).toEqual([
      [2, 'new'],
      [3, 'new'],
    ]);
  });

  it('refuses an object replaced between the footer read and the batch, naming the new ETag', async () => {
    const ref = await redshift.publish(
      'clicks/d.parquet',
      await parquet(`SELECT * FROM (VALUES (1, 'a')) AS v(id, page)`),
      '2026-12-01T10:00:00Z',
    );
    const columns = [
      { name: 'id', type: { kind: 'int' as const, bits: 32 as const, signed: true }, nullable: true },
      { name: 'page', type: { kind: 'string' as const }, nullable: true },
    ];
    await redshift.driver.runDdl([
      redshift.driver.compiler.ledger.createLedger(),
      redshift.driver.compiler.createTable('clicks', columns),
    ]);
    const replaced = await redshift.publish(
      'clicks/d.parquet',
      await parquet(`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, page)`),
      '2026-12-01T10:00:01Z',
    );
    const job = {
      table: 'clicks',
      settings: { keys: [], contract: 'evolve' as const },
      columns,
      object: ref,
      path: 's3://lake/clicks/d.parquet',
      objectUri: 's3://lake/clicks/d.parquet',
      identity: ref.etag,
      rows: 1,
    };
    await expect(redshift.driver.load([job])).rejects.toMatchObject({ name: 'ObjectChangedError' });
    await expect(redshift.driver.load([job])).rejects.toThrow(
      `its ETag is now ${replaced.etag}, not ${ref.etag}`,
    );
    expect(redshift.endpoint.log().filter((statement) => statement.kind === 'copy')).toEqual([]);
  });

  it("qualifies the target and the ledger by the session's schema in every statement", async () => {
    const loader = new Loader({ driver: redshift.driver });
    const ref = await redshift.publish(
      'clicks/c.parquet',
      await parquet(`SELECT * FROM (VALUES (1, 'a')) AS v(id, page)`),
      '2026-12-01T10:00:00Z',
    );
    expect(await loader.loadObjects([ref], redshift.store)).toMatchObject([{ status: 'loaded' }]);
    const sql = redshift.endpoint
      .log()
      .map((statement) => statement.sql)
      .join('\n');
    for (const table of ['clicks', 'lakeload_load_history']) {
      const named = [...sql.matchAll(new RegExp(`(\\S*)"${table}"`, 'g'))].map((match) => match[1]);
      expect(named.length).toBeGreaterThan(0);
      // Unqualified, a name resolves in pg_catalog first.
      expect(new Set(named)).toEqual(new Set([`"${redshift.schema}".`]));
    }
  });

  it('under SERIALIZABLE isolation, concurrent loads of different tables do not abort each other over the ledger', async () => {
    await redshift.driver.close();
    await redshift.cleanup();
    redshift = await rehearsedRedshift({ isolation: 'serializable' });
    const columns = [
      { name: 'id', type: { kind: 'int' as const, bits: 32 as const, signed: true }, nullable: true },
      { name: 'page', type: { kind: 'string' as const }, nullable: true },
    ];
    const tables = ['clicks', 'views', 'carts'];
    await redshift.driver.runDdl([
      redshift.driver.compiler.ledger.createLedger(),
      ...tables.map((table) => redshift.driver.compiler.createTable(table, columns)),
    ]);
    const jobs = await Promise.all(
      tables.map(async (table) => {
        const ref = await redshift.publish(
          `${table}/a.parquet`,
          await parquet(`SELECT * FROM (VALUES (1, '${table}')) AS v(id, page)`),
          '2026-12-01T10:00:00Z',
        );
        return {
          table,
          settings: { keys: [], contract: 'evolve' as const },
          columns,
          object: ref,
          path: `s3://lake/${table}/a.parquet`,
          objectUri: `s3://lake/${table}/a.parquet`,
          identity: ref.etag,
          rows: 1,
        };
      }),
    );
    // Each load reads and writes the ledger: without a lock taken in one order, two of them form
    // the read/write cycle SERIALIZABLE aborts with 1023.
    const outcomes = await Promise.all(jobs.map((job) => redshift.driver.load([job])));
    expect(outcomes).toEqual(tables.map(() => [{ status: 'loaded', inserted: 1, updated: 0, unchanged: 0 }]));
    const failed = redshift.endpoint
      .log()
      .filter((statement) => (statement as { status?: string }).status === 'FAILED');
    expect(failed).toEqual([]);
  });

  it('loads and reads its ledger back where describe_field_name_in_uppercase names results in upper case', async () => {
    await redshift.driver.close();
    await redshift.cleanup();
    redshift = await rehearsedRedshift({ fieldNamesInUppercase: true });
    const loader = new Loader({ driver: redshift.driver });
    const ref = await redshift.publish(
      'clicks/u.parquet',
      await parquet(`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, page)`),
      '2026-12-01T10:00:00Z',
    );
    const [result] = await loader.loadObjects([ref], redshift.store);
    expect(result).toMatchObject({ status: 'loaded', inserted: 2 });
    expect(await rows('SELECT id, page FROM clicks ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    // The same event again: the ledger, read back in upper case, knows it.
    const [again] = await loader.loadObjects([ref], redshift.store);
    expect(again).toMatchObject({ status: 'duplicate' });
  });
});
