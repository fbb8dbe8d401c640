// The Redshift driver against a fake Data API and S3 `send`: AWS is a boundary these tests cannot
// reach (the local Data API endpoint on PostgreSQL is the rehearsal package's). The fake keeps a
// ledger, so that what the driver reads back after a batch is what the batch wrote.
import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/schema/parquet.js';
import type { LoadJob, TableSettings } from '../../src/warehouse/dialect.js';
import type { PollTimer } from '../../src/warehouse/redshift/data-api.js';
import { RedshiftDriver } from '../../src/warehouse/redshift/redshift-driver.js';
import {
  classifyRedshiftError,
  mapAwsError,
  RedshiftDeadlineError,
  RedshiftStatementError,
  redshiftErrorFields,
} from '../../src/warehouse/redshift/redshift-errors.js';

interface Call {
  name: string;
  input: Record<string, unknown>;
}
type Handler = (input: Record<string, unknown>) => unknown;

/** Records every command and answers it from a handler by command name. */
class FakeSender {
  readonly calls: Call[] = [];
  constructor(readonly handlers: Record<string, Handler>) {}
  async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    this.calls.push({ name, input: command.input });
    const handler = this.handlers[name];
    if (!handler) throw new Error(`the fake has no ${name}`);
    return handler(command.input);
  }
  named(name: string): Call[] {
    return this.calls.filter((call) => call.name === name);
  }
}

/** A clock that moves only when the driver sleeps: polling is tested without waiting. */
function fakeTimer(): PollTimer & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

interface LedgerRow {
  object_uri: string;
  object_identity: string;
  batch_id: string;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
}

/**
 * A Data API whose statements finish after a few polls. The ledger is an array: a batch that
 * finishes appends the rows its ledger statements name (with the counts in `counts`); ledger
 * queries answer from it.
 */
function fakeWarehouse(options: {
  ledger?: LedgerRow[];
  /** Per file of a batch, by its ordinal (the last entry for any further file). */
  counts?: { inserted: number; updated: number; unchanged: number }[];
  describe?: (id: string, polls: number) => Record<string, unknown> | undefined;
  onBatch?: (sqls: string[]) => void;
}) {
  const ledger = options.ledger ?? [];
  const statements = new Map<string, { sqls: string[]; polls: number; batch?: string }>();
  let next = 0;
  const rowsOf = (sql: string) => {
    const pairs = [...sql.matchAll(/object_uri = '([^']*)' AND object_identity = '([^']*)'/g)];
    return ledger.filter((row) =>
      pairs.some(([, uri, id]) => row.object_uri === uri && row.object_identity === id),
    );
  };
  const data = new FakeSender({
    ExecuteStatement: (input) => {
      const id = `00000000-0000-0000-0000-${String(++next).padStart(12, '0')}`;
      statements.set(id, { sqls: [String(input.Sql)], polls: 0 });
      return { Id: id };
    },
    BatchExecuteStatement: (input) => {
      const id = `00000000-0000-0000-0000-${String(++next).padStart(12, '0')}`;
      const sqls = input.Sqls as string[];
      options.onBatch?.(sqls);
      statements.set(id, { sqls, polls: 0, batch: String(input.StatementName).replace('lakeload ', '') });
      return { Id: id };
    },
    DescribeStatement: (input) => {
      const id = String(input.Id);
      const statement = statements.get(id);
      if (!statement)
        throw Object.assign(new Error('no such statement'), { name: 'ResourceNotFoundException' });
      statement.polls++;
      const scripted = options.describe?.(id, statement.polls);
      if (scripted) return { Id: id, ...scripted };
      if (statement.polls < 2) return { Id: id, Status: 'STARTED' };
      if (statement.batch !== undefined && statement.polls === 2) {
        const ledgerSql = statement.sqls.filter((sql) =>
          sql.startsWith('INSERT INTO "lakeload_load_history"'),
        );
        const seen = rowsOf(statement.sqls[1] ?? '').length;
        if (seen === 0) {
          for (const sql of ledgerSql) {
            for (const match of sql.matchAll(
              /SELECT '([^']*)', '([^']*)', '[^']*', 'loaded', kept - replaced, replaced, staged - kept, 0, '[^']*' FROM "__lakeload_counts" WHERE "__lakeload_file" = (\d+)/g,
            )) {
              const perFile = options.counts ?? [];
              const counts = perFile[Number(match[3])] ??
                perFile.at(-1) ?? { inserted: 0, updated: 0, unchanged: 0 };
              ledger.push({
                object_uri: match[1] ?? '',
                object_identity: match[2] ?? '',
                batch_id: statement.batch,
                rows_inserted: counts.inserted,
                rows_updated: counts.updated,
                rows_unchanged: counts.unchanged,
              });
            }
          }
        }
      }
      return { Id: id, Status: 'FINISHED', HasResultSet: statement.batch === undefined };
    },
    GetStatementResult: (input) => {
      const sql = statements.get(String(input.Id))?.sqls[0] ?? '';
      const rows = rowsOf(sql);
      const names = [
        'object_uri',
        'object_identity',
        'batch_id',
        'rows_inserted',
        'rows_updated',
        'rows_unchanged',
      ] as const;
      return {
        ColumnMetadata: names.map((name) => ({ name })),
        Records: rows.map((row) =>
          names.map((name) =>
            typeof row[name] === 'number' ? { longValue: row[name] } : { stringValue: String(row[name]) },
          ),
        ),
      };
    },
    CancelStatement: () => ({ Status: true }),
  });
  const s3 = new FakeSender({
    PutObject: () => ({ ETag: '"m"' }),
    // The objects of `job(n)`, unchanged since their events.
    HeadObject: (input) => {
      const n = Number(/part-(\d+)\.parquet$/.exec(String(input.Key))?.[1]);
      return { ETag: `"etag-${n}"`, ContentLength: 100 + n };
    },
  });
  return { data, s3, ledger };
}

const columns: Column[] = [
  { name: 'order_id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
  { name: 'updated_at', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true },
];
const versioned: TableSettings = { keys: ['order_id'], version: 'updated_at', contract: 'evolve' };

function job(n: number, settings: TableSettings = versioned): LoadJob {
  const key = `orders/part-${n}.parquet`;
  return {
    table: 'order_summary',
    settings,
    columns,
    object: { bucket: 'lake', key, size: 100 + n, etag: `etag-${n}`, eventTime: '2026-12-01T00:00:00Z' },
    path: `s3://lake/${key}`,
    objectUri: `s3://lake/${key}`,
    identity: `etag-${n}`,
  };
}

function driver(fake: ReturnType<typeof fakeWarehouse>, timer = fakeTimer(), extra = {}) {
  return new RedshiftDriver(
    {
      target: { workgroup: 'analytics' },
      database: 'dev',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s',
      copyRoleArn: 'arn:aws:iam::123456789012:role/copy',
      manifestPrefix: 's3://lake/_lakeload/manifests',
      clients: { data: fake.data, s3: fake.s3 },
      ...extra,
    },
    timer,
  );
}

describe('Redshift driver: loads', () => {
  it('refuses a batch of two tables or differing columns with the shared batch check, before any call', async () => {
    const fake = fakeWarehouse({});
    const other = { ...job(2), table: 'order_items' };
    const extra: Column = { name: 'extra', type: { kind: 'string' }, nullable: true };
    const wider = { ...job(3), columns: [...columns, extra] };
    for (const mixed of [
      [job(1), other],
      [job(1), wider],
    ]) {
      await expect(driver(fake).load(mixed)).rejects.toThrow(
        /a batch mixes .* whose columns differ; batches hold files of one table with identical columns/,
      );
    }
    expect(fake.data.calls).toEqual([]);
    expect(fake.s3.calls).toEqual([]);
  });

  it("loads N files in one BatchExecuteStatement, each over its own manifest, and reads each file's counts back by batch id", async () => {
    const counts = [
      { inserted: 1, updated: 0, unchanged: 2 },
      { inserted: 0, updated: 3, unchanged: 0 },
      { inserted: 7, updated: 2, unchanged: 1 },
    ];
    const fake = fakeWarehouse({ counts });
    const outcomes = await driver(fake).load([job(1), job(2), job(3)]);
    expect(outcomes).toEqual(counts.map((count) => ({ status: 'loaded', ...count })));
    const puts = fake.s3.named('PutObject');
    expect(puts.map((put) => put.input.Bucket)).toEqual(['lake', 'lake', 'lake']);
    const keys = puts.map((put) => String(put.input.Key));
    const batchId = /^_lakeload\/manifests\/([a-f0-9]{32})-0\.manifest$/.exec(keys[0] ?? '')?.[1];
    expect(batchId).toBeDefined();
    expect(keys).toEqual([0, 1, 2].map((n) => `_lakeload/manifests/${batchId}-${n}.manifest`));
    expect(puts.map((put) => JSON.parse(String(put.input.Body)))).toEqual(
      [1, 2, 3].map((n) => ({
        entries: [
          { url: `s3://lake/orders/part-${n}.parquet`, mandatory: true, meta: { content_length: 100 + n } },
        ],
      })),
    );
    const batches = fake.data.named('BatchExecuteStatement');
    expect(batches).toHaveLength(1);
    const batch = batches[0]?.input ?? {};
    expect(batch).toMatchObject({
      WorkgroupName: 'analytics',
      Database: 'dev',
      SecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s',
    });
    const sqls = batch.Sqls as string[];
    expect(sqls.filter((sql) => sql.startsWith('COPY '))).toEqual(
      keys.map(
        (key, n) =>
          `COPY "__lakeload_file_${n}" FROM 's3://lake/${key}' IAM_ROLE 'arn:aws:iam::123456789012:role/copy' FORMAT AS PARQUET MANIFEST`,
      ),
    );
    expect(sqls.length).toBeLessThanOrEqual(40);
    expect(sqls.some((sql) => /TRUNCATE/i.test(sql))).toBe(false);
    expect(fake.ledger.map((row) => row.object_uri)).toEqual(
      [1, 2, 3].map((n) => `s3://lake/orders/part-${n}.parquet`),
    );
  });

  it('locks the ledger before the table where the database may be SERIALIZABLE, only the table under SNAPSHOT', async () => {
    const lockOf = async (level: string | undefined) => {
      const fake = fakeWarehouse({});
      const answer = fake.data.handlers.GetStatementResult;
      fake.data.handlers.GetStatementResult = (input) =>
        /stv_db_isolation_level/.test(JSON.stringify(fake.data.named('ExecuteStatement').at(-1)?.input.Sql))
          ? {
              ColumnMetadata: [{ name: 'isolation_level' }],
              Records: level === undefined ? [] : [[{ stringValue: level }]],
            }
          : answer?.(input);
      await driver(fake).load([job(1)]);
      const [lock] = (fake.data.named('BatchExecuteStatement')[0]?.input.Sqls as string[] | undefined) ?? [];
      return lock;
    };
    expect(await lockOf('Snapshot Isolation  ')).toBe('LOCK TABLE "order_summary"');
    expect(await lockOf('Serializable')).toBe('LOCK TABLE "lakeload_load_history", "order_summary"');
    // Unknown (no row, or the view refused): the safe order.
    expect(await lockOf(undefined)).toBe('LOCK TABLE "lakeload_load_history", "order_summary"');
    // Told: nothing is asked.
    const told = fakeWarehouse({});
    await driver(told, fakeTimer(), { isolation: 'snapshot' }).load([job(1)]);
    expect(JSON.stringify(told.data.named('ExecuteStatement'))).not.toContain('stv_db_isolation_level');
    expect((told.data.named('BatchExecuteStatement')[0]?.input.Sqls as string[] | undefined)?.[0]).toBe(
      'LOCK TABLE "order_summary"',
    );
  });

  it('sends each batch with its id as the ClientToken, so that an SDK retry of the call runs it once', async () => {
    const fake = fakeWarehouse({});
    await driver(fake).load([job(1)]);
    const [batch] = fake.data.named('BatchExecuteStatement');
    expect(batch?.input.ClientToken).toMatch(/^[a-f0-9]{32}$/);
    expect(batch?.input.StatementName).toBe(`lakeload ${batch?.input.ClientToken}`);
  });

  it('refuses files in a bucket of another region than the warehouse, before any manifest or batch', async () => {
    for (const [constraint, region] of [
      ['eu-west-1', 'eu-west-1'],
      ['EU', 'eu-west-1'],
      [undefined, 'us-east-1'],
    ] as const) {
      const fake = fakeWarehouse({});
      fake.s3.handlers.GetBucketLocation = () => ({ LocationConstraint: constraint });
      const d = driver(fake, fakeTimer(), { region: region === 'us-east-1' ? 'eu-central-1' : 'us-east-1' });
      const load = d.load([job(1), job(2)]);
      await expect(load).rejects.toThrow(
        new RegExp(
          `part-1\\.parquet: the bucket lake is in ${region} and the warehouse in (us-east-1|eu-central-1)`,
        ),
      );
      await expect(load).rejects.toMatchObject({ retryable: false });
      expect(fake.s3.named('PutObject')).toEqual([]);
      expect(fake.data.named('BatchExecuteStatement')).toEqual([]);
    }
    // The same region loads, and the bucket is asked once.
    const fake = fakeWarehouse({});
    fake.s3.handlers.GetBucketLocation = () => ({ LocationConstraint: 'eu-west-1' });
    await driver(fake, fakeTimer(), { region: 'eu-west-1' }).load([job(1), job(2)]);
    expect(fake.s3.named('GetBucketLocation')).toHaveLength(1);
    expect(fake.data.named('BatchExecuteStatement')).toHaveLength(1);
  });

  it('refuses an object replaced since its event (ETag, size or version), before any manifest or batch', async () => {
    const cases: [Record<string, unknown>, Partial<LoadJob['object']>, RegExp][] = [
      [{ ETag: '"other"', ContentLength: 101 }, {}, /its ETag is now other, not etag-1/],
      [{ ETag: '"etag-1"', ContentLength: 555 }, {}, /its size is now 555 bytes, not 101/],
      [
        { ETag: '"etag-1"', ContentLength: 101, VersionId: 'v2' },
        { versionId: 'v1' },
        /its current version is v2, not v1/,
      ],
    ];
    for (const [head, object, message] of cases) {
      const fake = fakeWarehouse({});
      fake.s3.handlers.HeadObject = () => head;
      const first = job(1);
      const load = driver(fake).load([{ ...first, object: { ...first.object, ...object } }]);
      await expect(load).rejects.toMatchObject({ name: 'ObjectChangedError', retryable: false });
      await expect(load).rejects.toThrow(message);
      expect(fake.s3.named('PutObject')).toEqual([]);
      expect(fake.data.named('BatchExecuteStatement')).toEqual([]);
    }
  });

  it('skips files the ledger knows before writing a manifest or running a batch', async () => {
    const fake = fakeWarehouse({
      ledger: [1, 2].map((n) => ({
        object_uri: `s3://lake/orders/part-${n}.parquet`,
        object_identity: `etag-${n}`,
        batch_id: 'earlier',
        rows_inserted: 1,
        rows_updated: 0,
        rows_unchanged: 0,
      })),
    });
    expect(await driver(fake).load([job(1), job(2), job(1)])).toEqual([
      { status: 'duplicate' },
      { status: 'duplicate' },
      { status: 'duplicate' },
    ]);
    expect(fake.s3.calls).toEqual([]);
    expect(fake.data.named('BatchExecuteStatement')).toEqual([]);
  });

  it('a file twice in one batch loads once', async () => {
    const fake = fakeWarehouse({ counts: [{ inserted: 3, updated: 0, unchanged: 0 }] });
    const outcomes = await driver(fake).load([job(1), job(1)]);
    expect(outcomes).toEqual([
      { status: 'loaded', inserted: 3, updated: 0, unchanged: 0 },
      { status: 'duplicate' },
    ]);
    expect(fake.s3.named('PutObject')).toHaveLength(1);
  });

  it('a batch that lost a race changes nothing; duplicates are reported and the rest loaded in a new batch', async () => {
    const fake = fakeWarehouse({ counts: [{ inserted: 5, updated: 0, unchanged: 0 }] });
    // Another loader records file 1 after the pre-check and before this batch's ledger check.
    let raced = false;
    const original = fake.data.handlers.BatchExecuteStatement;
    fake.data.handlers.BatchExecuteStatement = (input) => {
      if (!raced) {
        raced = true;
        fake.ledger.push({
          object_uri: 's3://lake/orders/part-1.parquet',
          object_identity: 'etag-1',
          batch_id: 'other',
          rows_inserted: 9,
          rows_updated: 0,
          rows_unchanged: 0,
        });
      }
      return original?.(input);
    };
    const outcomes = await driver(fake).load([job(1), job(2)]);
    expect(outcomes).toEqual([
      { status: 'duplicate' },
      { status: 'loaded', inserted: 5, updated: 0, unchanged: 0 },
    ]);
    const batches = fake.data.named('BatchExecuteStatement');
    expect(batches).toHaveLength(2);
    for (const call of fake.data.named('ExecuteStatement'))
      expect(Buffer.byteLength(String(call.input.Sql))).toBeLessThanOrEqual(100_000);
    expect(JSON.stringify(batches[1]?.input.Sqls)).not.toContain('part-1.parquet');
    expect(fake.ledger.filter((row) => row.object_uri.endsWith('part-1.parquet'))).toHaveLength(1);
  });

  it('keyed tables without a version batch their files too: each staged row carries its file', async () => {
    const fake = fakeWarehouse({});
    const keyed: TableSettings = { keys: ['order_id'], contract: 'evolve' };
    await driver(fake).load([job(1, keyed), job(2, keyed), job(3, keyed)]);
    const batches = fake.data.named('BatchExecuteStatement');
    expect(batches).toHaveLength(1);
    const sqls = batches[0]?.input.Sqls as string[];
    expect(sqls.find((sql) => sql.startsWith('CREATE TEMP TABLE "__lakeload_kept"'))).toContain(
      'ORDER BY "__lakeload_file" DESC',
    );
  });

  it('splits a batch into the most files a batch holds, then over the Data API limits into smaller batches', async () => {
    const fake = fakeWarehouse({});
    // Version ids of 7,500 characters: 14 of them do not fit one 100,000-byte ledger check, 7 do.
    const many = Array.from({ length: 32 }, (_, n) => ({ ...job(n), identity: `${'v'.repeat(7500)}${n}` }));
    const outcomes = await driver(fake).load(many);
    expect(outcomes.every((outcome) => outcome.status === 'loaded')).toBe(true);
    const batches = fake.data.named('BatchExecuteStatement');
    for (const call of fake.data.named('ExecuteStatement'))
      expect(Buffer.byteLength(String(call.input.Sql))).toBeLessThanOrEqual(100_000);
    for (const batch of batches)
      for (const sql of batch.input.Sqls as string[])
        expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(100_000);
    const files = batches.map(
      (batch) => (batch.input.Sqls as string[]).filter((sql) => sql.startsWith('COPY ')).length,
    );
    expect(files).toEqual([7, 7, 7, 7, 4]);
    expect(fake.ledger).toHaveLength(32);
  });

  it('refuses to load without a manifest prefix or from a local path, saying what to set', async () => {
    const fake = fakeWarehouse({});
    const d = new RedshiftDriver(
      { target: { workgroup: 'analytics' }, database: 'dev', clients: { data: fake.data, s3: fake.s3 } },
      fakeTimer(),
    );
    await expect(d.load([job(1)])).rejects.toThrow(
      /needs a manifest prefix \(manifest-prefix=s3:\/\/bucket\/prefix\//,
    );
    await expect(driver(fake).load([{ ...job(2), path: '/tmp/part-2.parquet' }])).rejects.toThrow(
      /Redshift's COPY reads the object from S3, so its path must be an s3:\/\/bucket\/key URL/,
    );
  });
});

describe('Redshift driver: statement lifecycle', () => {
  it('polls SUBMITTED → PICKED → STARTED → FINISHED with growing waits', async () => {
    const timer = fakeTimer();
    const statuses = ['SUBMITTED', 'PICKED', 'STARTED', 'STARTED', 'FINISHED'];
    const fake = fakeWarehouse({
      describe: (_id, polls) => ({ Status: statuses[polls - 1], HasResultSet: false }),
    });
    expect(await driver(fake, timer).query('SELECT 1')).toEqual([]);
    expect(fake.data.named('DescribeStatement')).toHaveLength(5);
    expect(timer.slept).toEqual([200, 300, 450, 675]);
  });

  it('caps the wait between polls and cancels a statement still running at the deadline', async () => {
    const timer = fakeTimer();
    const fake = fakeWarehouse({ describe: () => ({ Status: 'STARTED' }) });
    const d = driver(fake, timer, { statementDeadlineMs: 20_000 });
    const failure = d.query('SELECT pg_sleep(60)');
    await expect(failure).rejects.toThrow(RedshiftDeadlineError);
    await expect(failure).rejects.toThrow(/still STARTED after 20000 ms and was cancelled/);
    await expect(failure).rejects.toMatchObject({ retryable: true });
    expect(Math.max(...timer.slept)).toBe(5000);
    expect(timer.slept.reduce((a, b) => a + b)).toBe(20_000);
    expect(fake.data.named('CancelStatement')).toHaveLength(1);
  });

  it('keeps polling through a throttled DescribeStatement instead of abandoning the statement', async () => {
    const timer = fakeTimer();
    const fake = fakeWarehouse({ describe: () => ({ Status: 'FINISHED', HasResultSet: false }) });
    const describe = fake.data.handlers.DescribeStatement as Handler;
    let throttled = 0;
    fake.data.handlers.DescribeStatement = (input) => {
      if (throttled++ < 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return describe(input);
    };
    expect(await driver(fake, timer).query('SELECT 1')).toEqual([]);
    expect(fake.data.named('DescribeStatement')).toHaveLength(3);
    expect(fake.data.named('ExecuteStatement')).toHaveLength(1);
    // Not forever: a poll that keeps failing gives up, retryable, after a few attempts.
    fake.data.handlers.DescribeStatement = () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    await expect(driver(fake, timer).query('SELECT 1')).rejects.toMatchObject({ retryable: true });
    expect(fake.data.named('DescribeStatement')).toHaveLength(3 + 6);
  });

  it('ABORTED is retryable', async () => {
    const fake = fakeWarehouse({ describe: () => ({ Status: 'ABORTED' }) });
    await expect(driver(fake).query('SELECT 1')).rejects.toMatchObject({
      name: 'RedshiftStatementError',
      retryable: true,
    });
  });

  it('a FAILED sub-statement is named by its step and classified', async () => {
    const failAt = (step: string, error: string) =>
      fakeWarehouse({
        describe: (id, polls) => {
          if (!id.endsWith('3') || polls < 2) return undefined;
          // Statement 3 is the batch (1 was the ledger pre-check, 2 the isolation level).
          return {
            Status: 'FAILED',
            SubStatements: [
              { Id: `${id}:1`, Status: 'FINISHED' },
              { Id: `${id}:2`, Status: 'FINISHED' },
              { Id: `${id}:3`, Status: 'FINISHED' },
              ...(step === 'copy'
                ? [{ Id: `${id}:4`, Status: 'FAILED', Error: error, RedshiftQueryId: 4242 }]
                : []),
              ...(step === 'null-keys'
                ? [
                    { Id: `${id}:4`, Status: 'FINISHED' },
                    { Id: `${id}:5`, Status: 'FINISHED' },
                    { Id: `${id}:6`, Status: 'FAILED', Error: error },
                  ]
                : []),
            ],
          };
        },
      });
    const copy = driver(
      failAt('copy', 'ERROR: Spectrum Scan Error. File has an incompatible Parquet schema for column total'),
    );
    const copied = copy.load([job(1)]);
    await expect(copied).rejects.toThrow(RedshiftStatementError);
    await expect(copied).rejects.toMatchObject({ retryable: false, step: 'copy' });
    await expect(copied).rejects.toThrow(/\(statement 4, copy\): ERROR: Spectrum Scan Error/);
    await expect(copied).rejects.toThrow(/FROM sys_load_error_detail WHERE query_id = 4242/);

    const conflict = driver(
      failAt('copy', 'ERROR: 1023 DETAIL: Serializable isolation violation on table - 100234'),
    );
    await expect(conflict.load([job(1)])).rejects.toMatchObject({ retryable: true, step: 'copy' });

    const nulls = driver(failAt('null-keys', "ERROR: Invalid digit, Value 'l', Pos 0, Type: Integer"));
    const refused = nulls.load([job(1)]);
    await expect(refused).rejects.toMatchObject({ retryable: false, step: 'null-keys' });
    await expect(refused).rejects.toThrow(
      /rows have no value in the key \(order_id\); every row needs one\. Fix the file/,
    );
  });

  it('reads column names in lower case, also under describe_field_name_in_uppercase', async () => {
    const fake = fakeWarehouse({});
    fake.data.handlers.GetStatementResult = () => ({
      ColumnMetadata: [{ name: 'OBJECT_URI' }, { name: 'ROWS_INSERTED' }],
      Records: [[{ stringValue: 's3://lake/a.parquet' }, { longValue: 3 }]],
    });
    expect(await driver(fake).query('SELECT object_uri, rows_inserted FROM lakeload_load_history')).toEqual([
      { object_uri: 's3://lake/a.parquet', rows_inserted: 3 },
    ]);
  });

  it('reads results page by page, values as JSON', async () => {
    const pages = [
      {
        ColumnMetadata: [
          { name: 'n' },
          { name: 's' },
          { name: 'big' },
          { name: 'x' },
          { name: 'b' },
          { name: 'f' },
        ],
        Records: [
          [
            { longValue: 1 },
            { stringValue: 'a' },
            { longValue: 2 ** 60 },
            { isNull: true },
            { booleanValue: true },
            { doubleValue: 1.5 },
          ],
        ],
        NextToken: 't2',
      },
      {
        ColumnMetadata: [
          { name: 'n' },
          { name: 's' },
          { name: 'big' },
          { name: 'x' },
          { name: 'b' },
          { name: 'f' },
        ],
        Records: [
          [
            { longValue: 2 },
            { stringValue: 'b' },
            { longValue: 3 },
            { blobValue: new Uint8Array([1, 2]) },
            { booleanValue: false },
            { doubleValue: 0 },
          ],
        ],
      },
    ];
    const fake = fakeWarehouse({ describe: () => ({ Status: 'FINISHED', HasResultSet: true }) });
    fake.data.handlers.GetStatementResult = (input) => pages[input.NextToken === 't2' ? 1 : 0];
    expect(await driver(fake).query('SELECT …')).toEqual([
      { n: 1, s: 'a', big: String(2 ** 60), x: null, b: true, f: 1.5 },
      { n: 2, s: 'b', big: 3, x: 'AQI=', b: false, f: 0 },
    ]);
    expect(fake.data.named('GetStatementResult').map((call) => call.input.NextToken)).toEqual([
      undefined,
      't2',
    ]);
  });

  it('runs each DDL statement on its own; a concurrent "already exists" is retryable', async () => {
    const fake = fakeWarehouse({
      describe: (id, polls) =>
        id.endsWith('2') && polls >= 1
          ? { Status: 'FAILED', Error: 'ERROR: relation "t" already exists' }
          : { Status: 'FINISHED' },
    });
    const d = driver(fake);
    await expect(
      d.runDdl(['CREATE TABLE a (x INT)', 'CREATE TABLE t (x INT)', 'CREATE TABLE z (x INT)']),
    ).rejects.toMatchObject({
      retryable: true,
    });
    expect(fake.data.named('ExecuteStatement').map((call) => call.input.Sql)).toEqual([
      'CREATE TABLE a (x INT)',
      'CREATE TABLE t (x INT)',
    ]);
  });

  it('takes the catalog key violation of two concurrent CREATE TABLE IF NOT EXISTS as retryable', async () => {
    const fake = fakeWarehouse({
      describe: () => ({
        Status: 'FAILED',
        Error: 'ERROR: duplicate key value violates unique constraint "pg_type_typname_nsp_index"',
      }),
    });
    await expect(driver(fake).runDdl(['CREATE TABLE IF NOT EXISTS t (x INT)'])).rejects.toMatchObject({
      retryable: true,
    });
    const other = fakeWarehouse({
      describe: () => ({ Status: 'FAILED', Error: 'ERROR: syntax error at or near "x"' }),
    });
    await expect(driver(other).runDdl(['CREATE TABLE t (x INT'])).rejects.toMatchObject({ retryable: false });
  });

  it('sends the cluster and database user for provisioned Redshift', async () => {
    const fake = fakeWarehouse({ describe: () => ({ Status: 'FINISHED' }) });
    const d = new RedshiftDriver(
      {
        target: { cluster: 'etl' },
        database: 'wh',
        dbUser: 'loader',
        clients: { data: fake.data, s3: fake.s3 },
      },
      fakeTimer(),
    );
    await d.runDdl(['SELECT 1']);
    expect(fake.data.named('ExecuteStatement')[0]?.input).toEqual({
      ClusterIdentifier: 'etl',
      Database: 'wh',
      DbUser: 'loader',
      Sql: 'SELECT 1',
    });
  });
});

describe('Redshift errors', () => {
  it.each<[string, boolean, RegExp]>([
    [
      'ERROR: 1023 DETAIL: Serializable isolation violation on table - 156362, transactions forming the cycle are: 1, 2',
      true,
      /1023/,
    ],
    ['ERROR: 1018 DETAIL: Relation does not exist.', true, /1018/],
    ['ERROR: deadlock detected', true, /Deadlock/],
    ['Rate exceeded: throttling', true, /throttling/],
    ['server closed the connection unexpectedly', true, /connection was lost/],
    [
      'ERROR: Spectrum Scan Error. Parquet column type INT64 incompatible with VARCHAR',
      false,
      /by position and type/,
    ],
    [
      "ERROR: Spectrum Scan Error\n  DETAIL:\n  -----------------------------------------------\n  error:  Spectrum Scan Error\n  code:      15007\n  context:   File 'https://lake.s3.amazonaws.com/network_events/x.parquet' has an incompatible Parquet schema for column 'connection_id'",
      false,
      /by position and type/,
    ],
    ['ERROR: Overflow for NUMERIC(12,2)', false, /does not fit/],
    ['ERROR: Cannot insert a NULL value into column order_id', false, /NOT NULL column/],
    ['ERROR: String length exceeds DDL length', false, /65,535 bytes/],
    ['ERROR: S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid X', false, /s3:GetObject/],
    ['ERROR: syntax error at or near "x"', false, /fix the file or the table/],
    // Names in the text decide nothing: a table network_events, a column connection_id, a
    // deadlock_detected column, a throttle_rate key.
    [
      'ERROR: relation "network_events" does not exist at s3://lake/network_events/part-1.parquet',
      false,
      /fix the file or the table/,
    ],
    [
      'ERROR: column "connection_id" is of type bigint but expression is of type character varying',
      false,
      /fix the file/,
    ],
    [
      'ERROR: column "deadlock detected" does not exist (timed out connection network)',
      false,
      /fix the file/,
    ],
    // S3's slow-down inside a COPY error is transient, whatever surrounds it.
    [
      'ERROR: Problem reading manifest s3://lake/_lakeload/manifests/b-0.manifest\n  DETAIL: S3ServiceException:Please reduce your request rate.,Status 503,Error SlowDown,Rid 1,ExtRid 2,CanRetry 1',
      true,
      /SlowDown, 503/,
    ],
  ])('%s → retryable %s', (message, retryable, tip) => {
    const classified = classifyRedshiftError(message, 77);
    expect(classified.retryable).toBe(retryable);
    expect(classified.tip).toMatch(tip);
    if (!retryable) expect(classified.tip).toMatch(/sys_load_error_detail WHERE query_id = 77|s3:GetObject/);
  });

  it('reads the code fields of an error text', () => {
    expect(redshiftErrorFields('ERROR: 1023 DETAIL: Serializable isolation violation on table - 1')).toEqual({
      code: 1023,
      head: 'Serializable isolation violation on table - 1',
    });
    expect(
      redshiftErrorFields(
        'ERROR: Load into table failed\n  DETAIL:\n  error:  String length exceeds DDL length\n  code:      1204\n',
      ),
    ).toEqual({ head: 'Load into table failed', detailCode: 1204 });
    expect(redshiftErrorFields('ERROR: S3ServiceException:Slow,Status 503,Error SlowDown,Rid 1').s3).toEqual({
      status: 503,
      code: 'SlowDown',
    });
  });

  it.each<[string, boolean, RegExp]>([
    ['ThrottlingException', true, /ThrottlingException/],
    ['ActiveStatementsExceededException', true, /ActiveStatementsExceeded/],
    ['InternalServerException', true, /InternalServer/],
    ['ValidationException', false, /Check the warehouse URL/],
    ['ResourceNotFoundException', false, /does not exist/],
    ['AccessDeniedException', false, /redshift-data:\*Statement\*/],
  ])('SDK %s → retryable %s', (name, retryable, message) => {
    const mapped = mapAwsError(Object.assign(new Error('something'), { name }), 'query failed');
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.message).toMatch(message);
  });

  it('maps SDK exceptions thrown by send at the boundary', async () => {
    const throttled = fakeWarehouse({});
    throttled.data.handlers.ExecuteStatement = () => {
      throw Object.assign(new Error('Active statements exceeded the allowed quota.'), {
        name: 'ActiveStatementsExceededException',
      });
    };
    await expect(driver(throttled).query('SELECT 1')).rejects.toMatchObject({
      name: 'LoaderError',
      retryable: true,
    });

    const denied = fakeWarehouse({});
    denied.s3.handlers.PutObject = () => {
      throw Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    };
    const failure = driver(denied).load([job(1)]);
    await expect(failure).rejects.toMatchObject({ retryable: false });
    await expect(failure).rejects.toThrow(
      /writing the COPY manifest s3:\/\/lake\/_lakeload\/manifests\/[a-f0-9]{32}-0\.manifest: AccessDenied/,
    );
    expect(denied.data.named('BatchExecuteStatement')).toEqual([]);
  });
});
