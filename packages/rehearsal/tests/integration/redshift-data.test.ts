// The local Redshift Data API endpoint through the real @aws-sdk/client-redshift-data, found through
// AWS_ENDPOINT_URL_REDSHIFT_DATA alone, executing on the real PostgreSQL in a schema of this test's own.
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { createTestSchema, POSTGRES, type TestSchema } from '@lakeload/testkit/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalS3,
  type RedshiftDataEndpoint,
  startLocalS3,
  startRedshiftDataEndpoint,
} from '../../src/index.js';
import { waitFor } from '../helpers.js';

let s3: LocalS3;
let endpoint: RedshiftDataEndpoint;
let client: RedshiftDataClient;
let schema: TestSchema;
const saved = { ...process.env };
const target = { WorkgroupName: 'rehearsal', Database: 'test' };

beforeAll(async () => {
  s3 = await startLocalS3();
  endpoint = await startRedshiftDataEndpoint({ connectionString: POSTGRES, s3: s3.objects, pageSize: 3 });
  process.env.AWS_ENDPOINT_URL_REDSHIFT_DATA = endpoint.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'any';
  process.env.AWS_SECRET_ACCESS_KEY = 'any';
  client = new RedshiftDataClient({});
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
  await s3.close();
  process.env = saved;
});
beforeEach(async () => {
  schema = await createTestSchema('rsdata');
  endpoint.useSchema(schema.name);
});
afterEach(async () => {
  await schema.drop();
});

/**
 * A table of this test's schema that the admin connection holds locked: a statement reading it
 * stays STARTED until `release()`, however slow the machine (a pg_sleep could end before a poll).
 */
async function gate(): Promise<{ sql: string; release: () => Promise<void> }> {
  const table = `${schema.name}.gate`;
  await schema.admin.query(`CREATE TABLE ${table} (n INT)`);
  await schema.admin.query('BEGIN');
  await schema.admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let held = true;
  return {
    sql: `SELECT count(*) AS n FROM ${table}`,
    release: async () => {
      if (held) await schema.admin.query('COMMIT');
      held = false;
    },
  };
}

async function run(sql: string) {
  const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: sql }));
  return waitFor(client, Id as string);
}

describe('the local Redshift Data API endpoint', () => {
  it('is reached by the real SDK client through AWS_ENDPOINT_URL_REDSHIFT_DATA alone', async () => {
    // The client was built with no endpoint option: only the variable can have led it here.
    const described = await run('SELECT 1 AS one');
    expect(described.Status).toBe('FINISHED');
    expect(endpoint.statements().some((statement) => statement.id === described.Id)).toBe(true);
    expect(described.WorkgroupName).toBe('rehearsal');
    expect(described.Database).toBe('test');
  });

  it('runs statements asynchronously through SUBMITTED, PICKED, STARTED to FINISHED', async () => {
    const held = await gate();
    let Id: string | undefined;
    try {
      ({ Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: held.sql })));
      let seen: string | undefined;
      while (seen !== 'STARTED' && seen !== 'FAILED')
        seen = (await client.send(new DescribeStatementCommand({ Id }))).Status;
      expect(seen).toBe('STARTED');
    } finally {
      await held.release();
    }
    const finished = await waitFor(client, Id as string);
    expect(finished.Status).toBe('FINISHED');
    expect(finished.HasResultSet).toBe(true);
    expect(finished.Duration).toBeGreaterThan(0);
    expect(endpoint.statements().find((s) => s.id === Id)?.history).toEqual([
      'SUBMITTED',
      'PICKED',
      'STARTED',
      'FINISHED',
    ]);
  });

  it('reports bad SQL as FAILED with an Error, not as an exception', async () => {
    const described = await run('SELECT * FROM no_such_table');
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toBe('ERROR: relation "no_such_table" does not exist');
  });

  it('returns typed fields and column metadata, paged with NextToken', async () => {
    await run(
      'CREATE TABLE t (id BIGINT, name VARCHAR(20), price DECIMAL(10,2), ok BOOLEAN, at TIMESTAMP, doc SUPER, r FLOAT8)',
    );
    const insert = await run(
      `INSERT INTO t VALUES (1, 'a', 1.50, true, '2025-11-10 12:00:00', '{"k":1}', 0.5), (2, NULL, 2, false, NULL, NULL, NULL),
       (3, 'c', 3, true, NULL, NULL, NULL), (4, 'd', 4, true, NULL, NULL, NULL)`,
    );
    expect(insert.ResultRows).toBe(4);
    expect(insert.HasResultSet).toBe(false);
    const select = await run('SELECT id, name, price, ok, at, doc, r FROM t ORDER BY id');
    expect(select.ResultRows).toBe(4);
    const first = await client.send(new GetStatementResultCommand({ Id: select.Id }));
    expect(first.TotalNumRows).toBe(4);
    expect(first.Records).toHaveLength(3);
    expect(first.Records?.[0]).toEqual([
      { longValue: 1 },
      { stringValue: 'a' },
      { stringValue: '1.50' },
      { booleanValue: true },
      { stringValue: '2025-11-10 12:00:00' },
      { stringValue: '{"k": 1}' },
      { doubleValue: 0.5 },
    ]);
    expect(first.Records?.[1]?.[1]).toEqual({ isNull: true });
    expect(first.ColumnMetadata?.map((c) => c.typeName)).toEqual([
      'int8',
      'varchar',
      'numeric',
      'bool',
      'timestamp',
      'super',
      'float8',
    ]);
    expect(first.ColumnMetadata?.[1]?.length).toBe(20);
    expect(first.ColumnMetadata?.[2]).toMatchObject({ precision: 10, scale: 2 });
    expect(first.NextToken).toBeTruthy();
    const second = await client.send(
      new GetStatementResultCommand({ Id: select.Id, NextToken: first.NextToken }),
    );
    expect(second.Records?.map((record) => record[0])).toEqual([{ longValue: 4 }]);
    expect(second.NextToken).toBeUndefined();
  });

  it('numbers rows of equal ORDER BY values in random order, as Redshift may', async () => {
    const sql =
      "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY n) AS numbered FROM (SELECT id, row_number() OVER (ORDER BY g) AS n FROM (SELECT generate_series(1, 32) AS id, 1 AS g) AS t) AS ranked";
    const orders = new Set<string>();
    for (let run = 0; run < 4; run++) {
      const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: sql }));
      await waitFor(client, Id as string);
      const result = await client.send(new GetStatementResultCommand({ Id }));
      orders.add(String(result.Records?.[0]?.[0]?.stringValue));
    }
    // PostgreSQL alone numbers them 1..32 in scan order every time; 4 equal random orders of 32
    // rows are (1/32!)^3 likely.
    expect(orders.size).toBeGreaterThan(1);
  });

  it('folds quoted names unless the session enables case-sensitive identifiers, and names results in upper case when asked', async () => {
    const batch = async (sqls: string[]) => {
      const { Id } = await client.send(new BatchExecuteStatementCommand({ ...target, Sqls: sqls }));
      const described = await waitFor(client, Id as string);
      expect(described.Status).toBe('FINISHED');
      return Id as string;
    };
    await batch(['CREATE TABLE "Folded" ("MixedCol" INT)']);
    await batch(['SET enable_case_sensitive_identifier TO true', 'CREATE TABLE "Kept" ("MixedCol" INT)']);
    const names = await run(
      "SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_name IN ('folded', 'Kept') ORDER BY 1",
    );
    const result = await client.send(new GetStatementResultCommand({ Id: names.Id }));
    expect(result.Records?.map((record) => record[0]?.stringValue)).toEqual([
      'Kept.MixedCol',
      'folded.mixedcol',
    ]);
    const upper = await batch(['SET describe_field_name_in_uppercase TO on', 'SELECT 1 AS object_uri']);
    const page = await client.send(new GetStatementResultCommand({ Id: `${upper}:2` }));
    expect(page.ColumnMetadata?.map((column) => column.name)).toEqual(['OBJECT_URI']);
  });

  it('binds named parameters', async () => {
    const { Id } = await client.send(
      new ExecuteStatementCommand({
        ...target,
        Sql: 'SELECT CAST(:a AS INT) + 1 AS n, :b::text AS s',
        Parameters: [
          { name: 'a', value: '41' },
          { name: 'b', value: "it's" },
        ],
      }),
    );
    await waitFor(client, Id as string);
    const result = await client.send(new GetStatementResultCommand({ Id }));
    expect(result.Records?.[0]).toEqual([{ longValue: 42 }, { stringValue: "it's" }]);
  });

  it('runs a batch as one transaction and reports its sub-statements', async () => {
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        Sqls: [
          'CREATE TABLE b (id INT) DISTSTYLE AUTO SORTKEY AUTO',
          'INSERT INTO b VALUES (1), (2)',
          'SELECT count(*) FROM b',
        ],
      }),
    );
    const described = await waitFor(client, Id as string);
    expect(described.Status).toBe('FINISHED');
    expect(described.SubStatements?.map((s) => [s.Id, s.Status, s.ResultRows])).toEqual([
      [`${Id}:1`, 'FINISHED', 0],
      [`${Id}:2`, 'FINISHED', 2],
      [`${Id}:3`, 'FINISHED', 1],
    ]);
    const count = await client.send(new GetStatementResultCommand({ Id: `${Id}:3` }));
    expect(count.Records?.[0]).toEqual([{ longValue: 2 }]);
    const sub = await client.send(new DescribeStatementCommand({ Id: `${Id}:2` }));
    expect(sub.QueryString).toBe('INSERT INTO b VALUES (1), (2)');
  });

  it('rolls the whole batch back when one statement fails, and names the failing one', async () => {
    await run('CREATE TABLE r (id INT NOT NULL)');
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        Sqls: ['INSERT INTO r VALUES (1)', 'INSERT INTO r VALUES (NULL)', 'INSERT INTO r VALUES (3)'],
      }),
    );
    const described = await waitFor(client, Id as string);
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(/null value in column "id"/);
    expect(described.SubStatements?.map((s) => s.Status)).toEqual(['FINISHED', 'FAILED', 'ABORTED']);
    expect(described.SubStatements?.[1]?.Error).toMatch(/null value in column "id"/);
    const rows = await schema.admin.query(`SELECT count(*)::int AS n FROM ${schema.name}.r`);
    expect(rows.rows[0].n).toBe(0);
  });

  it('commits at a TRUNCATE inside a batch, as Redshift does', async () => {
    await run('CREATE TABLE tr (id INT NOT NULL)');
    const { Id } = await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        Sqls: [
          'INSERT INTO tr VALUES (1)',
          'TRUNCATE tr',
          'INSERT INTO tr VALUES (2)',
          'INSERT INTO tr VALUES (NULL)',
        ],
      }),
    );
    expect((await waitFor(client, Id as string)).Status).toBe('FAILED');
    // The TRUNCATE committed: the rollback of the failure no longer brings row 1 back.
    const rows = await schema.admin.query(`SELECT id FROM ${schema.name}.tr`);
    expect(rows.rows).toEqual([]);
    expect(endpoint.log().find((s) => s.sql === 'TRUNCATE tr')?.kind).toBe('truncate');
  });

  it('gives every call a fresh session: a temp table does not survive', async () => {
    expect((await run('CREATE TEMP TABLE tmp (id INT)')).Status).toBe('FINISHED');
    const described = await run('SELECT * FROM tmp');
    expect(described.Status).toBe('FAILED');
    expect(described.Error).toMatch(/relation "tmp" does not exist/);
  });

  it('translates only what PostgreSQL lacks and fails loudly on the rest', async () => {
    const created = await run(
      'CREATE TABLE x (id INT ENCODE az64, doc SUPER, note VARCHAR(MAX), at TIMESTAMP DEFAULT GETDATE()) DISTSTYLE KEY DISTKEY(id) COMPOUND SORTKEY(id, at)',
    );
    expect(created.Status).toBe('FINISHED');
    expect((await run('LOCK x')).Status).toBe('FINISHED');
    const nvl = await run('SELECT NVL(id, 0) FROM x');
    expect(nvl.Status).toBe('FAILED');
    expect(nvl.Error).toMatch(/NVL\(\) is not emulated/);
    const view = await run('SELECT * FROM sys_load_error_detail');
    expect(view.Error).toMatch(/SYS_LOAD_ERROR_DETAIL is not emulated/);
    const columns = await schema.admin.query(
      `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'x' ORDER BY ordinal_position`,
      [schema.name],
    );
    expect(columns.rows.map((r) => [r.column_name, r.data_type, r.character_maximum_length])).toEqual([
      ['id', 'integer', null],
      ['doc', 'jsonb', null],
      ['note', 'character varying', 65535],
      ['at', 'timestamp without time zone', null],
    ]);
  });

  it('rejects like the service: more than 40 statements, more than 100 KB, no workgroup', async () => {
    const many = Array.from({ length: 41 }, (_, i) => `SELECT ${i}`);
    await expect(client.send(new BatchExecuteStatementCommand({ ...target, Sqls: many }))).rejects.toThrow(
      ValidationException,
    );
    await expect(
      client
        .send(new BatchExecuteStatementCommand({ ...target, Sqls: many.slice(0, 40) }))
        .then((r) => waitFor(client, r.Id as string)),
    ).resolves.toMatchObject({ Status: 'FINISHED' });
    // 100 KB, read as 100,000 bytes: one byte more is refused, exactly that many is run.
    const sized = (bytes: number) => `SELECT '${'x'.repeat(bytes - "SELECT ''".length)}'`;
    await expect(
      client.send(new ExecuteStatementCommand({ ...target, Sql: sized(100_001) })),
    ).rejects.toThrow(/Query size 100001 bytes exceeds the maximum of 100000 bytes/);
    await expect(
      client
        .send(new ExecuteStatementCommand({ ...target, Sql: sized(100_000) }))
        .then((r) => waitFor(client, r.Id as string)),
    ).resolves.toMatchObject({ Status: 'FINISHED' });
    await expect(
      client.send(new ExecuteStatementCommand({ Database: 'test', Sql: 'SELECT 1' })),
    ).rejects.toThrow(/WorkgroupName or ClusterIdentifier/);
    await expect(
      client.send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' })),
    ).rejects.toThrow(/does not exist/);
  });

  it('cancels a running statement', async () => {
    const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: 'SELECT pg_sleep(30)' }));
    for (let s = ''; s !== 'STARTED'; )
      s = (await client.send(new DescribeStatementCommand({ Id }))).Status ?? '';
    expect((await client.send(new CancelStatementCommand({ Id }))).Status).toBe(true);
    expect((await waitFor(client, Id as string)).Status).toBe('ABORTED');
  });

  it('fails with an injected Redshift error where PostgreSQL cannot make one on cue', async () => {
    endpoint.injectFailure({
      match: /^SELECT 42/,
      error: 'ERROR: 1023 Serializable isolation violation on table - 100',
    });
    const described = await run('SELECT 42');
    expect(described.Error).toBe('ERROR: 1023 Serializable isolation violation on table - 100');
    expect((await run('SELECT 42')).Status).toBe('FINISHED');
  });
});

describe('the endpoint under load', () => {
  it('queues statements beyond its sessions as SUBMITTED and refuses beyond the active quota', async () => {
    const s3 = await startLocalS3();
    const busy = await startRedshiftDataEndpoint({
      connectionString: POSTGRES,
      s3: s3.objects,
      maxSessions: 1,
      maxActiveStatements: 2,
    });
    const client = new RedshiftDataClient({
      endpoint: busy.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    // The first holds the only session until released: the other two find it busy however long
    // the submissions take.
    const held = await gate();
    try {
      const first = await client.send(new ExecuteStatementCommand({ ...target, Sql: held.sql }));
      const second = await client.send(new ExecuteStatementCommand({ ...target, Sql: 'SELECT 2' }));
      await expect(
        client.send(new ExecuteStatementCommand({ ...target, Sql: 'SELECT 3' })),
      ).rejects.toMatchObject({
        name: 'ActiveStatementsExceededException',
      });
      await held.release();
      expect((await waitFor(client, second.Id as string)).Status).toBe('FINISHED');
      const [one, two] = busy.statements();
      expect(one?.id).toBe(first.Id);
      // The second waited for the only session: when it has finished, so has the first.
      expect(one?.status).toBe('FINISHED');
      expect(two?.history).toEqual(['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED']);
    } finally {
      await held.release();
      client.destroy();
      await busy.close();
      await s3.close();
    }
  });
});
