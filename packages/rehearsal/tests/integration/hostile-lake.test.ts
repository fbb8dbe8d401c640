// The hostile lake (issue 11): someone who can only put objects into the bucket, and an operator
// replaying what failed. Every case runs on DuckDB, on PostgreSQL and on the rehearsed Redshift
// path (the loader's Redshift driver through the real Data API client, against the local endpoint
// on PostgreSQL, COPY reading the local S3 server). Each test works in a schema (or database file)
// of its own.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type Driver,
  Loader,
  type LoaderOptions,
  localObject,
  localObjectAt,
  localStore,
  type ObjectRef,
  type ObjectResult,
  type ObjectStore,
  objectUri,
  openWarehouse,
  type PendingLetter,
} from '@lakeload/loader';
import { createS3Client, headS3Object, parseS3Uri, s3Store } from '@lakeload/loader/s3';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_S3_CREDENTIALS,
  type LocalS3,
  type RedshiftDataEndpoint,
  startLocalS3,
  startRedshiftDataEndpoint,
} from '../../src/index.js';

/** A bucket the attacker writes to, and the warehouse the loader writes to. */
interface Lake {
  driver: Driver;
  store: ObjectStore;
  /** Puts bytes under `key`. */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The object under `key` as an event (or a listing) describes it now. */
  ref(key: string): Promise<ObjectRef>;
  /** A dead letter's object as it is now, under its original key. */
  letterRef(letter: PendingLetter): Promise<ObjectRef>;
  /** A query outside the code under test, on the warehouse itself. */
  admin(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let dir: string;
let writer: DuckDBInstance;
let s3: LocalS3;
let endpoint: RedshiftDataEndpoint;
const saved = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hostile-lake-'));
  writer = await DuckDBInstance.create(':memory:');
  s3 = await startLocalS3({ buckets: ['lake'] });
  endpoint = await startRedshiftDataEndpoint({ connectionString: POSTGRES, s3: s3.objects });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
  });
});
afterAll(async () => {
  process.env = saved;
  writer.closeSync();
  await endpoint.close();
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

/** The rows of a SELECT as Parquet bytes, written by DuckDB. */
async function parquet(select: string): Promise<Buffer> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.parquet`);
  const connection = await writer.connect();
  await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  connection.closeSync();
  return readFile(path);
}

/** A local folder as the bucket; the driver reads local copies. */
async function localLake(driver: Driver, cleanup: () => Promise<void>): Promise<Lake> {
  const root = await mkdtemp(join(dir, 'bucket-'));
  return {
    driver,
    store: localStore(),
    put: async (key, bytes) => {
      await mkdir(dirname(join(root, key)), { recursive: true });
      await writeFile(join(root, key), bytes);
    },
    ref: (key) => localObject(root, key),
    letterRef: (letter) => localObjectAt(letter.uri, letter.key),
    admin: (sql) => driver.query(sql),
    close: async () => {
      await driver.close();
      await cleanup();
    },
  };
}

const backends: { name: string; open: () => Promise<Lake> }[] = [
  {
    name: 'duckdb',
    open: async () => {
      const file = join(await mkdtemp(join(dir, 'duckdb-')), 'warehouse.duckdb');
      return localLake(await openWarehouse(`duckdb:${file}`), async () => {});
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const schema = await createTestSchema('hostile_pg');
      return localLake(await openWarehouse(schema.url), schema.drop);
    },
  },
  {
    name: 'redshift (rehearsed)',
    open: async () => {
      const schema: TestSchema = await createTestSchema('hostile_rs');
      endpoint.useSchema(schema.name);
      const driver = await openWarehouse(
        'redshift-data://workgroup/rehearsal/test?copy-role-arn=arn:aws:iam::000000000000:role/copy&manifest-prefix=s3://lake/_lakeload/manifests/',
      );
      const client = createS3Client();
      // Each test's objects under a prefix of their own: the bucket is shared by the tests.
      const prefix = `${schema.name}/`;
      const head = (key: string) => headS3Object(client, 'lake', key);
      return {
        driver,
        store: s3Store(client),
        put: async (key, bytes) => {
          const path = `${prefix}${key}`.split('/').map(encodeURIComponent).join('/');
          const put = await fetch(`${s3.url}/lake/${path}`, { method: 'PUT', body: bytes });
          if (!put.ok) throw new Error(`PUT ${key}: ${put.status}`);
        },
        ref: (key) => head(`${prefix}${key}`),
        letterRef: (letter) => head(parseS3Uri(letter.uri).key),
        admin: async (sql) => {
          // Two statements answer two results: the SET's, then the query's.
          const results = (await schema.admin.query(
            `SET search_path = ${schema.name}; ${sql}`,
          )) as unknown as {
            rows: Record<string, unknown>[];
          }[];
          return results[1]?.rows ?? [];
        },
        close: async () => {
          await driver.close();
          client.destroy();
          endpoint.useSchema(undefined);
          await schema.drop();
        },
      };
    },
  },
];

describe.each(backends)('the hostile lake on $name', (backend) => {
  let lake: Lake;
  beforeEach(async () => {
    lake = await backend.open();
  });
  afterEach(async () => {
    await lake.close();
  });

  const loaderWith = (options: Omit<LoaderOptions, 'driver'> = {}) =>
    new Loader({ driver: lake.driver, backoffMs: 1, ...options });
  const load = async (loader: Loader, keys: readonly string[]): Promise<ObjectResult[]> =>
    loader.loadObjects(await Promise.all(keys.map((key) => lake.ref(key))), lake.store);

  it('refuses a folder named after the ledger: a forged ledger row never makes a file a duplicate', async () => {
    await lake.put('orders/victim.parquet', await parquet('SELECT 7 AS id'));
    const victim = await lake.ref('orders/victim.parquet');
    const victimUri = objectUri(victim);
    const forged = await parquet(
      `SELECT '${victimUri}' AS object_uri, '${victim.etag}' AS object_identity, 'orders' AS target_table, 'loaded' AS status, 0::BIGINT AS rows_inserted, 0::BIGINT AS rows_updated, 0::BIGINT AS rows_unchanged, 0::BIGINT AS duration_ms`,
    );
    await lake.put('lakeload_load_history/forged.parquet', forged);
    await lake.put('LakeLoad_Dead_Letters/forged.parquet', forged);
    const loader = loaderWith();
    const [history, letters] = await load(loader, [
      'lakeload_load_history/forged.parquet',
      'LakeLoad_Dead_Letters/forged.parquet',
    ]);
    expect(history).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/reserved for the loader's own tables/),
    });
    expect(letters).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/reserved for the loader's own tables/),
    });
    const [loaded] = await load(loader, ['orders/victim.parquet']);
    expect(loaded).toMatchObject({ status: 'loaded', table: 'orders', inserted: 1 });
    expect((await lake.admin('SELECT id FROM orders')).map((row) => Number(row.id))).toEqual([7]);
    const ledger = await lake.admin(
      `SELECT count(*) AS n FROM lakeload_load_history WHERE object_uri = '${victimUri}' AND status = 'loaded'`,
    );
    expect(Number(ledger[0]?.n)).toBe(1);
  });

  it('refuses system catalog names, in any case and in Unicode look-alikes, and creates no table', async () => {
    const comment = await parquet(
      "SELECT 1259::BIGINT AS objoid, 1259::BIGINT AS classoid, 0 AS objsubid, 'injected by the lake' AS description",
    );
    const keys = [
      'pg_description/x.parquet',
      'PG_DESCRIPTION/x.parquet',
      '\uff50\uff47_description/x.parquet',
      'information_schema/x.parquet',
      'stl_load_errors/x.parquet',
      'svv_table_info/x.parquet',
      'sys_query_history/x.parquet',
      'duckdb_tables/x.parquet',
      'sqlite_master/x.parquet',
    ];
    for (const key of keys) await lake.put(key, comment);
    const results = await load(loaderWith(), keys);
    for (const result of results)
      expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/is reserved for/) });
    const tables = await lake.admin(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE 'lakeload_%'",
    );
    expect(
      tables.filter((row) => /description|stl_|svv_|sys_|duckdb_|sqlite_/i.test(String(row.table_name))),
    ).toEqual([]);
    if (backend.name !== 'duckdb') {
      const injected = await lake.admin(
        "SELECT count(*) AS n FROM pg_catalog.pg_description WHERE description = 'injected by the lake'",
      );
      expect(Number(injected[0]?.n)).toBe(0);
    }
  });

  it('replays under the original key into the table of the first load, also when the rules changed since', async () => {
    await lake.put('partners/acme/orders.parquet', await parquet('SELECT 1 AS id'));
    await lake.put('kv/year=2025/f.parquet', await parquet("SELECT 'a' AS v"));
    const prefix = (await lake.ref('kv/year=2025/f.parquet')).key.slice(0, -'kv/year=2025/f.parquet'.length);
    // First load: both tables want a key column the files do not have, so both fail.
    const first = loaderWith({
      rules: [{ prefix: `${prefix}partners/`, table: 'partner_orders' }],
      tables: {
        partner_orders: { keys: ['order_id'], contract: 'evolve' },
        kv: { keys: ['k'], contract: 'evolve' },
      },
    });
    const failed = await first.loadObjects(
      [await lake.ref('partners/acme/orders.parquet'), await lake.ref('kv/year=2025/f.parquet')],
      lake.store,
    );
    expect(failed.map((result) => result.status)).toEqual(['failed', 'failed']);
    // The operator drops the key settings and the rule; the replay keeps the first load's routing.
    const operator = loaderWith({ rules: [] });
    const letters = await operator.deadLetters();
    expect(letters.map((letter) => [letter.key, letter.table])).toEqual([
      [`${prefix}kv/year=2025/f.parquet`, 'kv'],
      [`${prefix}partners/acme/orders.parquet`, 'partner_orders'],
    ]);
    const replayed = await operator.replay(
      letters,
      await Promise.all(letters.map(lake.letterRef)),
      lake.store,
    );
    expect(replayed.map((result) => [result.status, 'table' in result ? result.table : undefined])).toEqual([
      ['loaded', 'kv'],
      ['loaded', 'partner_orders'],
    ]);
    expect(Number((await lake.admin('SELECT id FROM partner_orders'))[0]?.id)).toBe(1);
    expect(await lake.admin('SELECT v FROM kv')).toEqual([{ v: 'a' }]);
    const strays = await lake.admin(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('acme', 'year=2025')",
    );
    expect(strays).toEqual([]);
    expect(await operator.deadLetters()).toEqual([]);
  });

  it('refuses to replay a dead letter an older loader recorded with a reserved table', async () => {
    await lake.put('orders/old.parquet', await parquet('SELECT 1 AS id'));
    const loader = loaderWith({ tables: { orders: { keys: ['order_id'], contract: 'evolve' } } });
    await load(loader, ['orders/old.parquet']);
    await lake.admin("UPDATE lakeload_dead_letters SET target_table = 'lakeload_load_history'");
    const letters = await loader.deadLetters();
    const [result] = await loaderWith().replay(
      letters,
      await Promise.all(letters.map(lake.letterRef)),
      lake.store,
    );
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/reserved for the loader's own tables/),
    });
    expect(await loader.deadLetters()).toHaveLength(1);
  });

  it('keeps one dead letter for an object that fails again and again', async () => {
    await lake.put('orders/bad.parquet', await parquet('SELECT 1 AS id'));
    const loader = loaderWith({ tables: { orders: { keys: ['order_id'], contract: 'evolve' } } });
    for (let attempt = 0; attempt < 3; attempt++)
      expect((await load(loader, ['orders/bad.parquet']))[0]?.status).toBe('failed');
    expect(await loader.deadLetters()).toHaveLength(1);
    expect(Number((await lake.admin('SELECT count(*) AS n FROM lakeload_dead_letters'))[0]?.n)).toBe(1);
    const attempts = await lake.admin(
      "SELECT count(*) AS n FROM lakeload_load_history WHERE status = 'failed'",
    );
    expect(Number(attempts[0]?.n)).toBe(3);
  });

  it('fails a footer nested past the stack as an unreadable Parquet file naming the object, with a tip', async () => {
    // FileMetaData with an unknown struct field (id 99) holding a struct in a struct… 200,000 deep.
    const depth = 200_000;
    const footer = Buffer.concat([
      Buffer.from([0x0c, 0xc6, 0x01]),
      Buffer.alloc(depth, 0x1c),
      Buffer.alloc(depth + 1, 0),
    ]);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(footer.length);
    await lake.put(
      'orders/deep.parquet',
      Buffer.concat([Buffer.from('PAR1'), footer, length, Buffer.from('PAR1')]),
    );
    await lake.put('orders/fine.parquet', await parquet('SELECT 1 AS id'));
    const [deep, fine] = await load(loaderWith(), ['orders/deep.parquet', 'orders/fine.parquet']);
    expect(deep).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/orders\/deep\.parquet: the Parquet footer is nested too deeply/),
      tip: expect.stringMatching(/re-export/),
    });
    expect(fine).toMatchObject({ status: 'loaded', inserted: 1 });
  });
});
