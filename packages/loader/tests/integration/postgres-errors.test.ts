// What PostgreSQL refuses while rows stream in fails that file alone: no crash, a dead letter.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestSchema, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localObject } from '../../src/events/local.js';
import { Loader } from '../../src/load.js';
import { localStore } from '../../src/sources/local-store.js';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';

let dir: string;
let schema: TestSchema;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-pgerr-'));
  schema = await createTestSchema('lakeload_pgerr');
});
afterAll(async () => {
  await schema.drop();
  await rm(dir, { recursive: true, force: true });
});

it('fails a file whose text holds a NUL byte, records a dead letter, and loads the next file', async () => {
  const lake = join(dir, 'lake', 'notes');
  await mkdir(lake, { recursive: true });
  const writer = await DuckDBInstance.create(':memory:');
  const connection = await writer.connect();
  await connection.run(
    `COPY (SELECT 1 AS id, 'x' || chr(0) || 'y' AS note) TO '${join(lake, 'bad.parquet')}' (FORMAT parquet)`,
  );
  await connection.run(
    `COPY (SELECT 2 AS id, 'fine' AS note) TO '${join(lake, 'good.parquet')}' (FORMAT parquet)`,
  );
  connection.closeSync();
  writer.closeSync();
  const driver = await postgresWarehouse({ connectionString: schema.url });
  try {
    const loader = new Loader({ driver });
    const bad = await loader.loadFile(
      await localObject(join(dir, 'lake'), 'notes/bad.parquet'),
      join(lake, 'bad.parquet'),
    );
    expect(bad).toMatchObject({ status: 'failed', retryable: false });
    if (bad.status === 'failed')
      expect(bad.error).toMatch(/bad\.parquet: column "note", row 1: the text holds a NUL character/);
    const good = await loader.loadFile(
      await localObject(join(dir, 'lake'), 'notes/good.parquet'),
      join(lake, 'good.parquet'),
    );
    expect(good.status).toBe('loaded');
    expect(await loader.deadLetters()).toHaveLength(1);
    expect(await driver.query('SELECT id, note FROM notes')).toEqual([{ id: 2, note: 'fine' }]);
  } finally {
    await driver.close();
  }
});

it('fails only the file with a NUL byte when it streams in a batch with good files', async () => {
  const lake = join(dir, 'batch', 'memos');
  await mkdir(lake, { recursive: true });
  const writer = await DuckDBInstance.create(':memory:');
  const connection = await writer.connect();
  for (const [name, note] of [
    ['a', "'fine'"],
    ['b', "'x' || chr(0) || 'y'"],
    ['c', "'also fine'"],
  ] as const) {
    await connection.run(
      `COPY (SELECT '${name}' AS id, ${note} AS note) TO '${join(lake, `${name}.parquet`)}' (FORMAT parquet)`,
    );
  }
  connection.closeSync();
  writer.closeSync();
  const driver = await postgresWarehouse({ connectionString: schema.url });
  try {
    const loader = new Loader({ driver });
    const refs = await Promise.all(
      ['a', 'b', 'c'].map((name) => localObject(join(dir, 'batch'), `memos/${name}.parquet`)),
    );
    const results = await loader.loadObjects(refs, localStore());
    expect(results.map((result) => result.status)).toEqual(['loaded', 'failed', 'loaded']);
    expect(results[1]).toMatchObject({ uri: expect.stringMatching(/b\.parquet$/), retryable: false });
    expect(await driver.query('SELECT id, note FROM memos ORDER BY id')).toEqual([
      { id: 'a', note: 'fine' },
      { id: 'c', note: 'also fine' },
    ]);
  } finally {
    await driver.close();
  }
});

it("a value PostgreSQL refuses gets its SQLSTATE's tip, for when the loader cannot name the value", async () => {
  const driver = await postgresWarehouse({ connectionString: schema.url });
  try {
    const refused = async (sql: string) =>
      driver.query(sql).then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(await refused('SELECT 12345.67::numeric(4,2)')).toMatchObject({
      code: '22003',
      retryable: false,
      tip: expect.stringMatching(/widen the column's decimal or integer type/),
    });
    expect(await refused(`SELECT convert_from('\\x6100'::bytea, 'UTF8')`)).toMatchObject({
      code: '22021',
      tip: expect.stringMatching(/NUL character or bytes that are not UTF-8/),
    });
    expect(await refused(`SELECT '{"a":"\\u0000"}'::jsonb`)).toMatchObject({
      code: '22P05',
      tip: expect.stringMatching(/escape \\u0000/),
    });
  } finally {
    await driver.close();
  }
});
