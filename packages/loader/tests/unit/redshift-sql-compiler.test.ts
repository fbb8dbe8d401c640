// Exact Redshift SQL for every step of a load, beside PostgreSQL's where Redshift differs, and the
// batch a load sends as one BatchExecuteStatement.
import { describe, expect, it } from 'vitest';
import { BatchTooLargeError } from '../../src/plan/batch-merge.js';
import { mergeSteps } from '../../src/plan/merge-steps.js';
import type { Column, ColumnType } from '../../src/schema/parquet.js';
import type { TableSettings } from '../../src/warehouse/dialect.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { redshiftCapabilities } from '../../src/warehouse/redshift/redshift-adapter.js';
import { planRedshiftBatch } from '../../src/warehouse/redshift/redshift-driver.js';
import { type BatchFile, RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';
import { golden, goldenFile, goldenPerDialect, goldenSql, ORDER_COLUMNS } from '../golden-sql.js';

const redshift = new RedshiftSqlCompiler();
const dialects = { postgres: new PostgresSqlCompiler(), redshift };
const expectSql = goldenSql(dialects);
const columns = ORDER_COLUMNS;
const versioned: TableSettings = { keys: ['order_id'], version: 'updated_at', contract: 'evolve' };
const keyedOnly: TableSettings = { keys: ['order_id'], contract: 'evolve' };
const keyless: TableSettings = { keys: [], contract: 'evolve' };
const role = 'arn:aws:iam::123456789012:role/lakeload-copy';

function file(n: number, key = `orders/part-${n}.parquet`): BatchFile {
  return {
    objectUri: `s3://lake/${key}`,
    identity: `etag-${n}`,
    url: `s3://lake/${key}`,
    size: 1000 + n,
    manifestUrl: `s3://lake/_lakeload/manifests/b1-${n - 1}.manifest`,
  };
}

function plan(
  settings: TableSettings,
  files: BatchFile[],
  extra: Partial<Parameters<typeof planRedshiftBatch>[0]> = {},
) {
  return planRedshiftBatch({
    batchId: 'b1',
    table: 'order_summary',
    settings,
    columns,
    files,
    copyRoleArn: role,
    ...extra,
  });
}

describe('Redshift SQL beside PostgreSQL', () => {
  it('creates the target with Redshift choosing distribution, sort keys and encodings', () => {
    expectSql(
      (c) => c.createTable('order_summary', columns),
      goldenPerDialect(dialects, 'create-target', 'createTable'),
    );
  });

  it('adds a column, and refuses to change a type in place', () => {
    expectSql((c) => c.addColumn('t', { name: 'coupon', type: { kind: 'string' }, nullable: true }), {
      postgres: 'ALTER TABLE "t" ADD COLUMN "coupon" text',
      redshift: 'ALTER TABLE "t" ADD COLUMN "coupon" VARCHAR(65535)',
    });
    expect(() => redshift.widenColumn('t', 'qty', { kind: 'int', bits: 64, signed: true })).toThrow(
      /t\.qty would have to become BIGINT; Redshift cannot change a column's type in place\. Rebuild the table/,
    );
  });

  it('locks without a mode, and deletes without aliases', () => {
    expectSql((c) => c.lockTable('order_items'), {
      postgres: 'LOCK TABLE "order_items" IN SHARE ROW EXCLUSIVE MODE',
      redshift: 'LOCK TABLE "order_items"',
    });
    expectSql((c) => c.deleteReplaced('s', 't', ['order_id', 'line_number']), {
      postgres:
        'DELETE FROM "t" AS t USING "s" AS s WHERE t."order_id" = s."order_id" AND t."line_number" = s."line_number"',
      redshift:
        'DELETE FROM "t" USING "s" WHERE "t"."order_id" = "s"."order_id" AND "t"."line_number" = "s"."line_number"',
    });
    expectSql(
      (c) => c.dropOlderVersions('s', 't', ['order_id'], 'updated_at'),
      goldenPerDialect(dialects, 'upsert', 'dropOlderVersions'),
    );
  });

  // The ledger's own statements are golden in fixtures/sql/ledger/redshift.sql (ledger-sql.test.ts).
  it('keeps the ledger with GETDATE(), never CURRENT_TIMESTAMP', () => {
    expect(redshift.ledger.markReplayed("s3://l/it's.parquet", 'e')).toBe(
      golden('ledger-writes/redshift', 'markReplayed'),
    );
    expect(redshift.ledger.createLedger()).not.toMatch(/CURRENT_TIMESTAMP/);
  });
});

describe('Redshift types', () => {
  it.each<[string, ColumnType, string]>([
    ['boolean', { kind: 'boolean' }, 'BOOLEAN'],
    ['int8', { kind: 'int', bits: 8, signed: true }, 'SMALLINT'],
    ['uint16', { kind: 'int', bits: 16, signed: false }, 'INTEGER'],
    ['uint32', { kind: 'int', bits: 32, signed: false }, 'BIGINT'],
    ['uint64', { kind: 'int', bits: 64, signed: false }, 'DECIMAL(20,0)'],
    ['float32', { kind: 'float', bits: 32 }, 'REAL'],
    ['float64', { kind: 'float', bits: 64 }, 'DOUBLE PRECISION'],
    ['decimal(38,9)', { kind: 'decimal', precision: 38, scale: 9 }, 'DECIMAL(38,9)'],
    ['string', { kind: 'string' }, 'VARCHAR(65535)'],
    ['json', { kind: 'json' }, 'VARCHAR(65535)'],
    ['binary', { kind: 'binary' }, 'VARBYTE(1024000)'],
    ['date', { kind: 'date' }, 'DATE'],
    ['local timestamp', { kind: 'timestamp', unit: 'millis', utc: false }, 'TIMESTAMP'],
    ['UTC timestamp', { kind: 'timestamp', unit: 'micros', utc: true }, 'TIMESTAMPTZ'],
    ['struct', { kind: 'nested', shape: 'struct' }, 'SUPER'],
    ['list', { kind: 'nested', shape: 'list' }, 'SUPER'],
    [
      'map with its key and value',
      {
        kind: 'nested',
        shape: 'map',
        children: [
          { name: 'key', type: { kind: 'string' }, nullable: false },
          { name: 'value', type: { kind: 'time', unit: 'micros', utc: false }, nullable: true },
        ],
      },
      'SUPER',
    ],
  ])('maps %s', (_name, type, expected) => {
    expect(redshift.columnType(type, 'c')).toBe(expected);
  });

  it.each<[string, ColumnType, RegExp]>([
    [
      'TIME',
      { kind: 'time', unit: 'micros', utc: false },
      /"at" is a time of day; COPY from Parquet cannot load TIME\. Write it as a string/,
    ],
    [
      'nanosecond timestamps',
      { kind: 'timestamp', unit: 'nanos', utc: false },
      /"at" is a timestamp in nanoseconds, which Redshift loads as absurd dates\. Write the file with microsecond timestamps/,
    ],
    ['fixed-width binary', { kind: 'binary', fixedLength: 16 }, /"at" is fixed-width binary \(16 bytes\)/],
    ['UUID', { kind: 'uuid' }, /"at" is a UUID \(16-byte fixed-width binary\).*Write it as a string/],
    [
      'decimal(40,2)',
      { kind: 'decimal', precision: 40, scale: 2 },
      /"at" is decimal\(40,2\); Redshift holds at most 38 digits/,
    ],
    ['interval', { kind: 'interval' }, /"at" is an interval/],
    ['FLOAT16', { kind: 'float', bits: 16 }, /"at" is a half float \(FLOAT16.*Write it as FLOAT/],
  ])('refuses %s before any COPY, naming the column and the fix', (_name, type, message) => {
    expect(() => redshift.columnType(type, 'at')).toThrow(UnsupportedTypeError);
    expect(() => redshift.columnType(type, 'at')).toThrow(message);
    const withIt: Column[] = [...columns, { name: 'at', type, nullable: true }];
    expect(() => plan(versioned, [file(1)], { columns: withIt })).toThrow(UnsupportedTypeError);
  });
});

describe('one load as one BatchExecuteStatement', () => {
  it('versioned upsert of two files: every statement, exactly, and one manifest per file', () => {
    const files = [1, 2].map((n) => ({ ...file(n), rows: 3 }));
    const { statements, manifests } = plan(versioned, files);
    expect(statements.map((s) => [s.step, s.sql])).toEqual(
      goldenFile('redshift/versioned-batch-of-two-files'),
    );
    expect(manifests).toEqual([
      {
        url: 's3://lake/_lakeload/manifests/b1-0.manifest',
        body: '{"entries":[{"url":"s3://lake/orders/part-1.parquet","mandatory":true,"meta":{"content_length":1001}}]}',
      },
      {
        url: 's3://lake/_lakeload/manifests/b1-1.manifest',
        body: '{"entries":[{"url":"s3://lake/orders/part-2.parquet","mandatory":true,"meta":{"content_length":1002}}]}',
      },
    ]);
  });

  it('keyed without a version: the newest file wins, a key repeated within a file is refused', () => {
    const steps = plan(keyedOnly, [file(1), file(2)]).statements;
    expect(steps.map((s) => s.step)).toEqual([
      'lock',
      'ledger-check',
      'file',
      'copy',
      'file',
      'copy',
      'stage',
      'null-keys',
      'ties',
      'dedupe',
      'count',
      'delete-replaced',
      'insert',
      'ledger',
    ]);
    expect(steps.find((s) => s.step === 'ties')?.sql).toBe(golden('redshift/keyed-batch', 'ties'));
    expect(steps.find((s) => s.step === 'dedupe')?.sql).toBe(golden('redshift/keyed-batch', 'dedupe'));
  });

  it('keyless tables append: no key checks, no deletes, each file counted', () => {
    const steps = plan(keyless, [file(1)]).statements;
    expect(steps.map((s) => s.step)).toEqual([
      'lock',
      'ledger-check',
      'file',
      'copy',
      'stage',
      'count',
      'insert',
      'ledger',
    ]);
    expect(steps.find((s) => s.step === 'count')?.sql).toBe(golden('redshift/keyless-batch', 'count'));
    expect(steps.find((s) => s.step === 'insert')?.sql).toBe(golden('redshift/keyless-batch', 'insert'));
  });

  it('stays within 40 statements and 100,000 bytes each for a full batch of 1 KB keys, and never TRUNCATEs', () => {
    const long = (n: number) => file(n, `${'k'.repeat(990)}/${String(n).padStart(4, '0')}.parquet`);
    for (const settings of [versioned, keyedOnly, keyless]) {
      const files = Array.from({ length: redshiftCapabilities.maxBatchFiles }, (_, n) => ({
        ...long(n),
        rows: 10,
      }));
      const { statements } = plan(settings, files);
      expect(statements.length).toBeLessThanOrEqual(40);
      for (const statement of statements) {
        expect(Buffer.byteLength(statement.sql)).toBeLessThanOrEqual(100_000);
        expect(statement.sql).not.toMatch(/TRUNCATE/i);
      }
    }
    // One more file needs more than 40 statements.
    const over = Array.from({ length: redshiftCapabilities.maxBatchFiles + 1 }, (_, n) => ({
      ...file(n),
      rows: 1,
    }));
    expect(() => plan(versioned, over)).toThrow(/needs 42 statements; one batch runs at most 40/);
  });

  it('splits ledger rows over INSERTs that each fit 100,000 bytes', () => {
    // Ledger rows are longer than the ledger check's pairs: 14 keys of 6,900 bytes fit one check,
    // not one ledger INSERT.
    const files = Array.from({ length: 14 }, (_, n) =>
      file(n, `${'k'.repeat(6880)}/${String(n).padStart(4, '0')}.parquet`),
    );
    const { statements } = plan(keyless, files, { table: 't'.repeat(120) });
    const ledger = statements.filter((s) => s.step === 'ledger');
    expect(ledger.length).toBe(2);
    const rows = ledger.map((s) => s.sql.split(' UNION ALL ').length);
    expect(rows.reduce((a, b) => a + b)).toBe(14);
    for (const s of statements) expect(Buffer.byteLength(s.sql)).toBeLessThanOrEqual(100_000);
  });

  it('refuses a batch over the limits so that the driver can split it', () => {
    const files = Array.from({ length: 14 }, (_, n) => file(n, `${'k'.repeat(8000)}/${n}.parquet`));
    expect(() => plan(versioned, files)).toThrow(BatchTooLargeError);
    expect(() => plan(versioned, files)).toThrow(
      /ledger-check statement is \d+ bytes; a statement takes at most 100000/,
    );
  });

  it('adds SERIALIZETOJSON when a column is nested, and IAM_ROLE default unquoted', () => {
    const nested: Column[] = [
      ...columns,
      { name: 'lines', type: { kind: 'nested', shape: 'list' }, nullable: true },
    ];
    const steps = plan(versioned, [file(1)], { columns: nested, copyRoleArn: 'default' }).statements;
    expect(steps.find((s) => s.step === 'file')?.sql).toMatch(/"lines" SUPER\)$/);
    expect(steps.find((s) => s.step === 'copy')?.sql).toBe(golden('redshift/nested-batch', 'copy'));
  });
});

describe('the batch follows the one merge rule', () => {
  it.each([
    ['versioned', versioned],
    ['keyed', keyedOnly],
    ['keyless', keyless],
  ])('%s: its steps are mergeSteps(redshiftCapabilities), in that order', (_name, settings) => {
    for (const rows of [undefined, 5]) {
      const files = [1, 2, 3].map((n) => ({ ...file(n), ...(rows === undefined ? {} : { rows }) }));
      const steps = plan(settings, files).statements.map((s) => s.step);
      // Redshift's staging parts are its `stage` step; ledger rows may take several INSERTs.
      const merged = steps
        .map((step) => (step === 'file' || step === 'copy' ? 'stage' : step))
        .filter((step, n, all) => step !== all[n - 1]);
      expect(merged).toEqual(
        mergeSteps(redshiftCapabilities, {
          table: 'order_summary',
          settings,
          declaresRows: rows !== undefined,
        }),
      );
    }
  });
});

describe('hostile names and values', () => {
  it('quotes hostile identifiers so that they stay names', () => {
    const hostile: Column[] = [
      { name: 'select', type: { kind: 'int', bits: 32, signed: true }, nullable: true },
      { name: 'naïve "col"; DROP TABLE t; --', type: { kind: 'string' }, nullable: true },
    ];
    const { statements } = plan({ keys: ['select'], contract: 'evolve' }, [file(1)], {
      table: 'we"ird; DROP TABLE t; --',
      columns: hostile,
    });
    expect(statements.find((s) => s.step === 'insert')?.sql).toBe(golden('redshift/hostile-batch', 'insert'));
    expect(() => redshift.quoteIdentifier('a\u0000b')).toThrow(/NUL/);
    expect(() => redshift.quoteIdentifier('x'.repeat(128))).toThrow(/128 bytes; Redshift allows 127/);
    expect(redshift.quoteIdentifier('é'.repeat(63))).toBe(`"${'é'.repeat(63)}"`);
  });

  it('escapes literals so that no quote or backslash ends them, whichever way the engine reads backslashes', () => {
    expect(redshift.quoteLiteral("o'brien")).toBe("'o''brien'");
    expect(redshift.quoteLiteral("a\\'; DROP TABLE t; --")).toBe(
      "('a' || CHR(92) || '''; DROP TABLE t; --')",
    );
    expect(redshift.quoteLiteral('\\')).toBe("('' || CHR(92) || '')");
    expect(() => redshift.quoteLiteral('a\u0000')).toThrow(/NUL/);
    const hostileKey = "year=2025/o'brien\\x; DROP TABLE t; --.parquet";
    const { statements, manifests } = plan(keyless, [file(1, hostileKey)]);
    expect(statements.find((s) => s.step === 'ledger')?.sql).toContain(
      `SELECT ('s3://lake/year=2025/o''brien' || CHR(92) || 'x; DROP TABLE t; --.parquet'), 'etag-1'`,
    );
    // The manifest is JSON, not SQL: the key is written as it is.
    expect(JSON.parse(manifests[0]?.body ?? '').entries[0].url).toBe(`s3://lake/${hostileKey}`);
  });

  it('refuses values that cannot be plain literals, and reserved or malformed names', () => {
    expect(() => plan(keyless, [{ ...file(1), manifestUrl: 's3://lake/a\\b.manifest' }])).toThrow(
      /the manifest URL .* contains a backslash/,
    );
    expect(() => plan(keyless, [file(1)], { table: '__lakeload_stage' })).toThrow(
      /reserves for its temporary tables/,
    );
    expect(() => plan(keyless, [file(1)], { batchId: "x'; --" })).toThrow(/batch id/);
    expect(() => plan(keyless, [])).toThrow(/at least one file/);
    const reserved: Column[] = [
      ...columns,
      { name: '__lakeload_file', type: { kind: 'string' }, nullable: true },
    ];
    expect(() => plan(keyless, [file(1)], { columns: reserved })).toThrow(/reserved by the loader/);
  });
});
