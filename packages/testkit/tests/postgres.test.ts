// The schema helper against the real server: a schema of its own that the URL's search path
// selects, dropped with its tables; and a clear failure when the server is not there.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestSchema, POSTGRES, schemaUrl } from '../src/postgres.js';

let observer: pg.Client;

async function schemaExists(name: string): Promise<boolean> {
  const result = await observer.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
    name,
  ]);
  return result.rowCount === 1;
}

beforeAll(async () => {
  observer = new pg.Client({ connectionString: POSTGRES });
  await observer.connect();
});
afterAll(async () => {
  await observer?.end();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('createTestSchema', () => {
  it('creates a schema the URL selects, and drops it with its tables', async () => {
    const schema = await createTestSchema('testkit_pg');
    expect(schema.name).toMatch(/^testkit_pg_\d+_[a-z0-9]+$/);
    expect(schema.url).toBe(schemaUrl(schema.name));
    expect(await schemaExists(schema.name)).toBe(true);

    // A client on `url` creates unqualified tables in the test's schema.
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    await client.query('CREATE TABLE t (id int)');
    await client.end();
    const tables = await schema.admin.query(
      'SELECT table_schema FROM information_schema.tables WHERE table_name = $1 AND table_schema = $2',
      ['t', schema.name],
    );
    expect(tables.rowCount).toBe(1);

    await schema.drop();
    expect(await schemaExists(schema.name)).toBe(false);
  });

  it('gives two calls with the same prefix two schemas', async () => {
    const [a, b] = await Promise.all([createTestSchema('testkit_twice'), createTestSchema('testkit_twice')]);
    expect(a.name).not.toBe(b.name);
    await Promise.all([a.drop(), b.drop()]);
  });

  it('refuses a prefix that would need quoting, saying what to use', async () => {
    await expect(createTestSchema('Bad-Prefix')).rejects.toThrow(
      'createTestSchema("Bad-Prefix"): use lower-case letters, digits and _ for the prefix',
    );
  });

  it('fails saying how to start PostgreSQL when the server is not there', async () => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    vi.stubEnv('LAKELOAD_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:1/test');
    vi.resetModules();
    const unreachable = await import('../src/postgres.js');
    expect(unreachable.POSTGRES).toBe('postgres://postgres@127.0.0.1:1/test');
    await expect(unreachable.createTestSchema('testkit_down')).rejects.toThrow(
      /^PostgreSQL is needed at postgres:\/\/postgres@127\.0\.0\.1:1\/test \(start it: pg_ctlcluster … main start\): /,
    );
  });
});
