// Exact SQL per dialect for every statement of a load, side by side.
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/schema/parquet.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { type SqlCompiler, UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';
import { goldenSql, ORDER_COLUMNS } from '../golden-sql.js';

const dialects = { duckdb: new DuckDBSqlCompiler(), postgres: new PostgresSqlCompiler() };
const expectSql = goldenSql(dialects);
const columns = ORDER_COLUMNS;

describe('SQL per dialect', () => {
  it('creates the target from the file schema', () => {
    expectSql((c) => c.createTable('order_summary', columns), {
      duckdb:
        'CREATE TABLE IF NOT EXISTS "order_summary" ("order_id" BIGINT, "updated_at" TIMESTAMPTZ, "total" DECIMAL(12,2), "status" VARCHAR)',
      postgres:
        'CREATE TABLE IF NOT EXISTS "order_summary" ("order_id" bigint, "updated_at" timestamptz, "total" numeric(12,2), "status" text)',
    });
  });

  it('adds and widens columns', () => {
    expectSql((c) => c.addColumn('t', { name: 'coupon', type: { kind: 'string' }, nullable: true }), {
      duckdb: 'ALTER TABLE "t" ADD COLUMN "coupon" VARCHAR',
      postgres: 'ALTER TABLE "t" ADD COLUMN "coupon" text',
    });
    expectSql((c) => c.widenColumn('t', 'qty', { kind: 'int', bits: 64, signed: true }), {
      duckdb: 'ALTER TABLE "t" ALTER COLUMN "qty" TYPE BIGINT',
      postgres: 'ALTER TABLE "t" ALTER COLUMN "qty" TYPE bigint',
    });
  });

  it("stages a batch in the files' own column order with file and row positions", () => {
    expectSql((c) => c.createStaging('stage_1', columns), {
      duckdb:
        'CREATE TEMP TABLE "stage_1" ("order_id" BIGINT, "updated_at" TIMESTAMPTZ, "total" DECIMAL(12,2), "status" VARCHAR, "__lakeload_file" INTEGER, "__lakeload_row" BIGINT)',
      postgres:
        'CREATE TEMP TABLE "stage_1" ("order_id" bigint, "updated_at" timestamptz, "total" numeric(12,2), "status" text, "__lakeload_file" INTEGER, "__lakeload_row" BIGINT)',
    });
    const versioned = { keys: ['order_id'], version: 'updated_at' };
    expect(dialects.duckdb.createPositions('stage_1', columns, versioned)).toBe(
      'CREATE TEMP TABLE "stage_1" ("order_id" BIGINT, "updated_at" TIMESTAMPTZ, "__lakeload_file" INTEGER, "__lakeload_row" BIGINT, "__lakeload_keep" BOOLEAN)',
    );
    expect(
      dialects.duckdb.stagePositions('stage_1', versioned, ["/lake/it's.parquet", '/lake/b.parquet']),
    ).toBe(
      `INSERT INTO "stage_1" ("order_id", "updated_at", "__lakeload_file", "__lakeload_row", "__lakeload_keep") SELECT p."order_id", p."updated_at", b.ordinal, CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number, row_number() OVER (PARTITION BY p."order_id" ORDER BY p."updated_at" DESC NULLS LAST, CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number DESC) = 1 FROM read_parquet(['/lake/it''s.parquet', '/lake/b.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/it''s.parquet', 0), ('/lake/b.parquet', 1)) AS b(path, ordinal) ON p."__lakeload_path" = b.path`,
    );
    // A version that is also a key is staged once; keyless tables stage positions only, unranked.
    const keyed = { keys: ['order_id', 'updated_at'], version: 'updated_at' };
    expect(dialects.duckdb.createPositions('s', columns, keyed)).toBe(
      'CREATE TEMP TABLE "s" ("order_id" BIGINT, "updated_at" TIMESTAMPTZ, "__lakeload_file" INTEGER, "__lakeload_row" BIGINT, "__lakeload_keep" BOOLEAN)',
    );
    expect(dialects.duckdb.stagePositions('s', keyed, ['/lake/a.parquet'])).toBe(
      `INSERT INTO "s" ("order_id", "updated_at", "__lakeload_file", "__lakeload_row", "__lakeload_keep") SELECT p."order_id", p."updated_at", b.ordinal, CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number, row_number() OVER (PARTITION BY p."order_id", p."updated_at" ORDER BY p."updated_at" DESC NULLS LAST, CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number DESC) = 1 FROM read_parquet(['/lake/a.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/a.parquet', 0)) AS b(path, ordinal) ON p."__lakeload_path" = b.path`,
    );
    expect(dialects.duckdb.createPositions('s', columns, { keys: [] })).toBe(
      'CREATE TEMP TABLE "s" ("__lakeload_file" INTEGER, "__lakeload_row" BIGINT)',
    );
    expect(dialects.duckdb.stagePositions('s', { keys: [] }, ['/lake/a.parquet'])).toBe(
      `INSERT INTO "s" ("__lakeload_file", "__lakeload_row") SELECT b.ordinal, CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number FROM read_parquet(['/lake/a.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/a.parquet', 0)) AS b(path, ordinal) ON p."__lakeload_path" = b.path`,
    );
    expect(() => dialects.duckdb.createPositions('s', columns, { keys: ['nope'] })).toThrow(
      /no column "nope"/,
    );
    expect(dialects.postgres.copyFromStdin('stage_1', ['order_id', 'status'])).toBe(
      'COPY "stage_1" ("order_id", "status", "__lakeload_file", "__lakeload_row") FROM STDIN',
    );
    expect(dialects.postgres.copyFromStdin('orders', ['order_id', 'status'], true)).toBe(
      'COPY "orders" ("order_id", "status") FROM STDIN',
    );
    expect(
      dialects.postgres.copyLinesFromParquet(
        [
          { name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
          { name: 'raw', type: { kind: 'binary' }, nullable: true },
          { name: 'note', type: { kind: 'string' }, nullable: true },
          { name: 'tags', type: { kind: 'nested', shape: 'list' }, nullable: true },
          { name: 'at', type: { kind: 'timestamp', unit: 'micros', utc: true }, nullable: true },
        ],
        ["/lake/it's.parquet", '/lake/b.parquet'],
      ),
    ).toBe(
      // bytea's own `\x` escaped for COPY's text format; nested values as JSON; UTC timestamps with their offset.
      String.raw`SELECT coalesce(CAST(p."id" AS VARCHAR), '\N') || chr(9) || coalesce('\\x' || hex(p."raw"), '\N') || chr(9) || coalesce(replace(replace(replace(replace(CAST(p."note" AS VARCHAR), '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r'), '\N') || chr(9) || coalesce(replace(replace(replace(replace(CAST(to_json(p."tags") AS VARCHAR), '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r'), '\N') || chr(9) || coalesce(CAST(CAST(p."at" AS TIMESTAMPTZ) AS VARCHAR), '\N') || chr(9) || CAST(b.ordinal AS VARCHAR) || chr(9) || CAST(CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number AS VARCHAR) FROM read_parquet(['/lake/it''s.parquet', '/lake/b.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/it''s.parquet', 0), ('/lake/b.parquet', 1)) AS b(path, ordinal) ON p."__lakeload_path" = b.path`,
    );
    // Ranked first: the losers left out, matched by position, key and version; into the target, no positions.
    expect(
      dialects.postgres.copyLinesFromParquet(
        [{ name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true }],
        ['/lake/a.parquet'],
        { kept: { positions: 'pos', settings: { keys: ['id'], version: 'v' } }, direct: true },
      ),
    ).toBe(
      String.raw`SELECT coalesce(CAST(p."id" AS VARCHAR), '\N') FROM read_parquet(['/lake/a.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/a.parquet', 0)) AS b(path, ordinal) ON p."__lakeload_path" = b.path ANTI JOIN (SELECT * FROM "pos" WHERE NOT "__lakeload_keep") AS s ON s."__lakeload_row" = CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number AND s."id" = p."id" AND s."v" IS NOT DISTINCT FROM p."v"`,
    );
    for (const read of [
      () => dialects.duckdb.stagePositions('s', { keys: ['id'] }, ['/lake/part-[1].parquet']),
      () => dialects.postgres.copyLinesFromParquet([], ['/lake/part-*.parquet']),
    ])
      expect(read).toThrow(/glob character .* rename the file/);
    expect(() =>
      dialects.duckdb.stagePositions('s', { keys: ['id'] }, ['/lake/a.parquet', '/lake/a.parquet']),
    ).toThrow(/in one batch twice/);
  });

  it('counts staged rows and null keys per file, and the stored rows each file replaces', () => {
    const census =
      'SELECT "__lakeload_file" AS batch_file, count(*) AS staged, sum(CASE WHEN "order_id" IS NULL OR "line_number" IS NULL THEN 1 ELSE 0 END) AS null_keys FROM "s" GROUP BY "__lakeload_file"';
    expectSql((c) => c.stagingCensus('s', ['order_id', 'line_number']), { duckdb: census, postgres: census });
    const keyless =
      'SELECT "__lakeload_file" AS batch_file, count(*) AS staged, 0 AS null_keys FROM "s" GROUP BY "__lakeload_file"';
    expectSql((c) => c.stagingCensus('s', []), { duckdb: keyless, postgres: keyless });
    const ranked =
      'SELECT "__lakeload_file" AS batch_file, count(*) AS staged, sum(CASE WHEN "order_id" IS NULL THEN 1 ELSE 0 END) AS null_keys, sum(CASE WHEN "__lakeload_keep" THEN 1 ELSE 0 END) AS kept FROM "s" GROUP BY "__lakeload_file"';
    expectSql((c) => c.stagingCensus('s', ['order_id'], true), { duckdb: ranked, postgres: ranked });
    const replaced =
      'SELECT s."__lakeload_file" AS batch_file, count(*) AS replaced FROM "s" AS s JOIN "t" AS t ON t."order_id" = s."order_id" GROUP BY s."__lakeload_file"';
    expectSql((c) => c.replacedPerFile('s', 't', ['order_id']), { duckdb: replaced, postgres: replaced });
    expect(dialects.postgres.countedReplace('s', 't', ['order_id'])).toBe(
      'WITH replaced AS (DELETE FROM "t" AS t USING "s" AS s WHERE t."order_id" = s."order_id" RETURNING s."__lakeload_file") SELECT "__lakeload_file" AS batch_file, count(*) AS replaced FROM replaced GROUP BY "__lakeload_file"',
    );
    expect(dialects.duckdb.countedReplace('s', 't', ['order_id'])).toBeUndefined();
  });

  it('keeps the newest version per key, the last row among equals', () => {
    const expected =
      'DELETE FROM "s" WHERE "__lakeload_row" IN (SELECT "__lakeload_row" FROM (SELECT "__lakeload_row", row_number() OVER (PARTITION BY "order_id", "line_number" ORDER BY "updated_at" DESC NULLS LAST, "__lakeload_row" DESC) AS rank FROM "s") AS ranked WHERE rank > 1)';
    expectSql((c) => c.dedupeStaging('s', ['order_id', 'line_number'], 'updated_at'), {
      duckdb: expected,
      postgres: expected,
    });
  });

  it('where staging ranked its rows, drops the unkept ones and reads the kept rows again from the files', () => {
    const drop = 'DELETE FROM "s" WHERE NOT "__lakeload_keep"';
    expectSql((c) => c.dropUnkept('s'), { duckdb: drop, postgres: drop });
    const source = `read_parquet(['/lake/a.parquet', '/lake/b.parquet'], filename = '__lakeload_path', file_row_number = true, hive_partitioning = false) AS p JOIN (VALUES ('/lake/a.parquet', 0), ('/lake/b.parquet', 1)) AS b(path, ordinal) ON p."__lakeload_path" = b.path`;
    const paths = ['/lake/a.parquet', '/lake/b.parquet'];
    expect(
      dialects.duckdb.insertKeptFromFiles(
        's',
        't',
        ['order_id', 'updated_at', 'status'],
        { keys: ['order_id'], version: 'updated_at' },
        paths,
        'semi',
      ),
    ).toBe(
      `INSERT INTO "t" ("order_id", "updated_at", "status") SELECT p."order_id", p."updated_at", p."status" FROM ${source} SEMI JOIN "s" AS s ON s."__lakeload_row" = CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number AND s."__lakeload_keep" AND s."order_id" = p."order_id" AND s."updated_at" IS NOT DISTINCT FROM p."updated_at"`,
    );
    // Staging as ranked: only the losers are joined, and left out.
    expect(
      dialects.duckdb.insertKeptFromFiles('s', 't', ['order_id'], { keys: ['order_id'] }, paths, 'anti'),
    ).toBe(
      `INSERT INTO "t" ("order_id") SELECT p."order_id" FROM ${source} ANTI JOIN (SELECT * FROM "s" WHERE NOT "__lakeload_keep") AS s ON s."__lakeload_row" = CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number AND s."order_id" = p."order_id"`,
    );
    expect(dialects.duckdb.insertKeptFromFiles('s', 'clicks', ['id'], { keys: [] }, paths, 'semi')).toBe(
      `INSERT INTO "clicks" ("id") SELECT p."id" FROM ${source} SEMI JOIN "s" AS s ON s."__lakeload_row" = CAST(b.ordinal AS BIGINT) * 1099511627776 + p.file_row_number`,
    );
    expect(dialects.duckdb.insertKeptFromFiles('s', 'clicks', ['id'], { keys: [] }, paths, 'anti')).toBe(
      `INSERT INTO "clicks" ("id") SELECT p."id" FROM ${source}`,
    );
    // PostgreSQL stages whole rows through COPY; it has no files to read again.
    expect(() =>
      dialects.postgres.insertKeptFromFiles('s', 't', ['id'], { keys: [] }, paths, 'semi'),
    ).toThrow(/stages whole rows/);
  });

  it('on DuckDB, joins the stored rows once into a note of the matches that the later steps read', () => {
    const note = '"s_matched"';
    const keep = `WHERE "__lakeload_row" NOT IN (SELECT "__lakeload_row" FROM ${note} WHERE "__lakeload_older")`;
    expect(dialects.duckdb.matchStored('s', 't', ['order_id', 'line'], 'updated_at')).toEqual({
      match: `CREATE TEMP TABLE ${note} AS SELECT s."order_id", s."line", s."__lakeload_row", s."__lakeload_file", (t."updated_at" > s."updated_at" OR (s."updated_at" IS NULL AND t."updated_at" IS NOT NULL)) AS "__lakeload_older" FROM "s" AS s JOIN "t" AS t ON t."order_id" = s."order_id" AND t."line" = s."line"`,
      dropOlder: `DELETE FROM "s" WHERE "__lakeload_row" IN (SELECT "__lakeload_row" FROM ${note} WHERE "__lakeload_older")`,
      replacedPerFile: `SELECT "__lakeload_file" AS batch_file, count(*) AS replaced FROM ${note} ${keep} GROUP BY "__lakeload_file"`,
      deleteReplaced: `DELETE FROM "t" AS t USING (SELECT * FROM ${note} ${keep}) AS s WHERE t."order_id" = s."order_id" AND t."line" = s."line"`,
    });
    // Without a version no staged row is older: every match replaces.
    expect(dialects.duckdb.matchStored('s', 't', ['id'], undefined)).toEqual({
      match: `CREATE TEMP TABLE ${note} AS SELECT s."id", s."__lakeload_row", s."__lakeload_file", false AS "__lakeload_older" FROM "s" AS s JOIN "t" AS t ON t."id" = s."id"`,
      replacedPerFile: `SELECT "__lakeload_file" AS batch_file, count(*) AS replaced FROM ${note} GROUP BY "__lakeload_file"`,
      deleteReplaced: `DELETE FROM "t" AS t USING (SELECT * FROM ${note}) AS s WHERE t."id" = s."id"`,
    });
    expect(dialects.postgres.matchStored('s', 't', ['id'], undefined)).toBeUndefined();
  });

  it('upserts by version: older staged rows are dropped, replaced rows deleted, staging inserted', () => {
    const older =
      'DELETE FROM "s" AS s USING "t" AS t WHERE t."order_id" = s."order_id" AND (t."updated_at" > s."updated_at" OR (s."updated_at" IS NULL AND t."updated_at" IS NOT NULL))';
    expectSql((c) => c.dropOlderVersions('s', 't', ['order_id'], 'updated_at'), {
      duckdb: older,
      postgres: older,
    });
    const replaced =
      'DELETE FROM "t" AS t USING "s" AS s WHERE t."order_id" = s."order_id" AND t."line_number" = s."line_number"';
    expectSql((c) => c.deleteReplaced('s', 't', ['order_id', 'line_number']), {
      duckdb: replaced,
      postgres: replaced,
    });
    const insert = 'INSERT INTO "t" ("order_id", "status") SELECT "order_id", "status" FROM "s"';
    expectSql((c) => c.insertFromStaging('s', 't', ['order_id', 'status']), {
      duckdb: insert,
      postgres: insert,
    });
  });

  it('analyzes staging and counts discards per file where the dialect needs or allows it', () => {
    expect(dialects.duckdb.analyzeStaging('s', ['order_id'])).toBeUndefined();
    expect(dialects.postgres.analyzeStaging('s', ['order_id', 'line_number'])).toBe(
      'ANALYZE "s" ("order_id", "line_number")',
    );
    expect(dialects.postgres.analyzeStaging('s', [])).toBeUndefined();
    expect(dialects.duckdb.countedDiscard('DELETE FROM "s" WHERE x')).toBeUndefined();
    expect(dialects.postgres.countedDiscard('DELETE FROM "s" AS s USING "t" AS t WHERE x')).toBe(
      'WITH discarded AS (DELETE FROM "s" AS s USING "t" AS t WHERE x RETURNING "__lakeload_file") SELECT "__lakeload_file" AS batch_file, count(*) AS discarded FROM discarded GROUP BY "__lakeload_file"',
    );
  });

  it('locks the target for writers where the dialect serializes with a lock', () => {
    expect(dialects.postgres.lockTable('order_items')).toBe(
      'LOCK TABLE "order_items" IN SHARE ROW EXCLUSIVE MODE',
    );
  });

  it('records the load in the ledger, escaping every literal', () => {
    const entry = {
      objectUri: "s3://lake/o'brien; DROP TABLE x; --.parquet",
      identity: 'etag-1',
      table: 'order_items',
      status: 'loaded' as const,
      inserted: 10,
      updated: 2,
      unchanged: 1,
      durationMs: 35.7,
    };
    const expected = `INSERT INTO "lakeload_load_history" (object_uri, object_identity, target_table, status, rows_inserted, rows_updated, rows_unchanged, duration_ms, error) VALUES ('s3://lake/o''brien; DROP TABLE x; --.parquet', 'etag-1', 'order_items', 'loaded', 10, 2, 1, 35, NULL), ('s3://lake/b.parquet', 'etag-2', 'order_items', 'failed', 0, 0, 0, 0, 'it''s broken')`;
    const failed = {
      ...entry,
      objectUri: 's3://lake/b.parquet',
      identity: 'etag-2',
      status: 'failed' as const,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      durationMs: 0,
      error: "it's broken",
    };
    expectSql((c) => c.ledger.recordLoads([entry, failed]), { duckdb: expected, postgres: expected });
  });

  it("reads which of a batch's objects the ledger holds, in one statement", () => {
    const expected = `SELECT object_uri, object_identity FROM "lakeload_load_history" WHERE status = 'loaded' AND object_uri IN ('s3://lake/a.parquet', 's3://lake/o''b.parquet')`;
    expectSql(
      (c) =>
        c.ledger.loadedAmong([
          { objectUri: 's3://lake/a.parquet', identity: 'e1' },
          { objectUri: "s3://lake/o'b.parquet", identity: 'e2' },
          { objectUri: 's3://lake/a.parquet', identity: 'e3' },
        ]),
      { duckdb: expected, postgres: expected },
    );
  });

  it('quotes hostile identifiers so that they stay names', () => {
    expectSql((c) => c.insertFromStaging('s', 'we"ird; DROP TABLE t; --', ['select', 'naïve "col"']), {
      duckdb:
        'INSERT INTO "we""ird; DROP TABLE t; --" ("select", "naïve ""col""") SELECT "select", "naïve ""col""" FROM "s"',
      postgres:
        'INSERT INTO "we""ird; DROP TABLE t; --" ("select", "naïve ""col""") SELECT "select", "naïve ""col""" FROM "s"',
    });
    expect(() => dialects.duckdb.quoteIdentifier('a\u0000b')).toThrow(/NUL/);
  });

  it.each<[string, ColumnType, string, string]>([
    ['uint32', { kind: 'int', bits: 32, signed: false }, 'UINTEGER', 'bigint'],
    ['uint64', { kind: 'int', bits: 64, signed: false }, 'UBIGINT', 'numeric(20,0)'],
    ['float32', { kind: 'float', bits: 32 }, 'FLOAT', 'real'],
    ['local timestamp', { kind: 'timestamp', unit: 'millis', utc: false }, 'TIMESTAMP', 'timestamp'],
    ['json', { kind: 'json' }, 'JSON', 'jsonb'],
    ['float16', { kind: 'float', bits: 16 }, 'FLOAT', 'real'],
    [
      'a struct of a list and a map, with a hostile field name',
      {
        kind: 'nested',
        shape: 'struct',
        children: [
          {
            name: 'ids"; DROP TABLE t; --',
            type: {
              kind: 'nested',
              shape: 'list',
              children: [{ name: 'element', type: { kind: 'int', bits: 64, signed: true }, nullable: true }],
            },
            nullable: true,
          },
          {
            name: 'attrs',
            type: {
              kind: 'nested',
              shape: 'map',
              children: [
                { name: 'key', type: { kind: 'string' }, nullable: false },
                { name: 'value', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
              ],
            },
            nullable: true,
          },
        ],
      },
      'STRUCT("ids""; DROP TABLE t; --" BIGINT[], "attrs" MAP(VARCHAR, DECIMAL(12,2)))',
      'jsonb',
    ],
    ['date', { kind: 'date' }, 'DATE', 'date'],
  ])('maps %s', (_name, type, duckdb, postgres) => {
    expect(dialects.duckdb.columnType(type, 'c')).toBe(duckdb);
    expect(dialects.postgres.columnType(type, 'c')).toBe(postgres);
  });

  it('refuses types a dialect cannot hold, naming the column and the fix', () => {
    const nanos: ColumnType = { kind: 'timestamp', unit: 'nanos', utc: false };
    expect(dialects.duckdb.columnType(nanos, 'ts')).toBe('TIMESTAMP_NS');
    expect(() => dialects.postgres.columnType(nanos, 'ts')).toThrow(UnsupportedTypeError);
    expect(() => dialects.postgres.columnType(nanos, 'ts')).toThrow(
      /"ts" is a timestamp in nanoseconds; .*microsecond/,
    );
    const wide: ColumnType = { kind: 'decimal', precision: 40, scale: 2 };
    expect(() => dialects.duckdb.columnType(wide, 'amount')).toThrow(
      /"amount" is decimal\(40,2\); DuckDB holds at most 38/,
    );
    // PostgreSQL's numeric holds it: the driver reads such a column exactly (wide-decimals.test.ts).
    expect(dialects.postgres.columnType(wide, 'amount')).toBe('numeric(40,2)');
  });
});

// Redshift's steps of a load are a batch of their own (tests/unit/redshift-sql-compiler.test.ts);
// the statements every dialect shares are asserted here, side by side with the other two.
describe('SQL per dialect, with Redshift', () => {
  const all = { ...dialects, redshift: new RedshiftSqlCompiler() };
  function expectAll(build: (compiler: SqlCompiler) => string, expected: Record<keyof typeof all, string>) {
    for (const [name, compiler] of Object.entries(all))
      expect(build(compiler), name).toBe(expected[name as keyof typeof all]);
  }

  it('creates the target and adds columns', () => {
    expectAll((c) => c.createTable('order_summary', columns), {
      duckdb:
        'CREATE TABLE IF NOT EXISTS "order_summary" ("order_id" BIGINT, "updated_at" TIMESTAMPTZ, "total" DECIMAL(12,2), "status" VARCHAR)',
      postgres:
        'CREATE TABLE IF NOT EXISTS "order_summary" ("order_id" bigint, "updated_at" timestamptz, "total" numeric(12,2), "status" text)',
      redshift:
        'CREATE TABLE IF NOT EXISTS "order_summary" ("order_id" BIGINT, "updated_at" TIMESTAMPTZ, "total" DECIMAL(12,2), "status" VARCHAR(65535)) DISTSTYLE AUTO SORTKEY AUTO ENCODE AUTO',
    });
    expectAll((c) => c.addColumn('t', { name: 'coupon', type: { kind: 'string' }, nullable: true }), {
      duckdb: 'ALTER TABLE "t" ADD COLUMN "coupon" VARCHAR',
      postgres: 'ALTER TABLE "t" ADD COLUMN "coupon" text',
      redshift: 'ALTER TABLE "t" ADD COLUMN "coupon" VARCHAR(65535)',
    });
  });

  it('deletes replaced rows (Redshift without aliases) and inserts', () => {
    expectAll((c) => c.deleteReplaced('s', 't', ['order_id']), {
      duckdb: 'DELETE FROM "t" AS t USING "s" AS s WHERE t."order_id" = s."order_id"',
      postgres: 'DELETE FROM "t" AS t USING "s" AS s WHERE t."order_id" = s."order_id"',
      redshift: 'DELETE FROM "t" USING "s" WHERE "t"."order_id" = "s"."order_id"',
    });
    const insert = 'INSERT INTO "t" ("order_id", "status") SELECT "order_id", "status" FROM "s"';
    expectAll((c) => c.insertFromStaging('s', 't', ['order_id', 'status']), {
      duckdb: insert,
      postgres: insert,
      redshift: insert,
    });
  });

  it('quotes hostile identifiers and literals through the one pair of functions', () => {
    const hostile = 'INSERT INTO "we""ird; DROP TABLE t; --" ("select") SELECT "select" FROM "s"';
    expectAll((c) => c.insertFromStaging('s', 'we"ird; DROP TABLE t; --', ['select']), {
      duckdb: hostile,
      postgres: hostile,
      redshift: hostile,
    });
    // A backslash cannot end a Redshift literal whichever way the engine reads it: it is CHR(92).
    expectAll((c) => c.quoteLiteral("o'b\\'; --"), {
      duckdb: "'o''b\\''; --'",
      postgres: "'o''b\\''; --'",
      redshift: "('o''b' || CHR(92) || '''; --')",
    });
  });
});
