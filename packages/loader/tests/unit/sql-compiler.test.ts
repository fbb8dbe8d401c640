// Exact SQL per dialect for every statement of a load, side by side.
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/schema/parquet.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { type SqlCompiler, UnsupportedTypeError } from '../../src/warehouse/sql-compiler.js';
import { golden, goldenPerDialect, goldenSql, ORDER_COLUMNS } from '../golden-sql.js';

const dialects = { duckdb: new DuckDBSqlCompiler(), postgres: new PostgresSqlCompiler() };
const expectSql = goldenSql(dialects);
const columns = ORDER_COLUMNS;

describe('SQL per dialect', () => {
  it('creates the target from the file schema', () => {
    expectSql(
      (c) => c.createTable('order_summary', columns),
      goldenPerDialect(dialects, 'create-target', 'createTable'),
    );
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
    expectSql(
      (c) => c.createStaging('stage_1', columns),
      goldenPerDialect(dialects, 'stage', 'createStaging'),
    );
    const versioned = { keys: ['order_id'], version: 'updated_at' };
    expect(dialects.duckdb.createPositions('stage_1', columns, versioned)).toBe(
      golden('stage/duckdb', 'createPositions'),
    );
    expect(
      dialects.duckdb.stagePositions('stage_1', versioned, ["/lake/it's.parquet", '/lake/b.parquet']),
    ).toBe(golden('stage/duckdb', 'stagePositions'));
    // Into an empty table only the losers are staged, ranked among the keys that repeat; the census
    // takes each file's rows from its footer, or else reads the files' keys.
    const paths = ["/lake/it's.parquet", '/lake/b.parquet'];
    expect(dialects.duckdb.stageLosers('stage_1', versioned, paths)).toEqual([
      golden('stage/duckdb', 'stageLosers, the keys that repeat'),
      golden('stage/duckdb', 'stageLosers'),
    ]);
    expect(dialects.duckdb.losersCensus('stage_1', ['order_id', 'updated_at'], paths)).toBe(
      golden('stage/duckdb', 'losersCensus'),
    );
    expect(dialects.duckdb.losersCensus('stage_1', ['order_id', 'updated_at'], paths, [3, undefined])).toBe(
      golden('stage/duckdb', 'losersCensus'),
    );
    expect(dialects.duckdb.losersCensus('stage_1', ['order_id', 'updated_at'], paths, [3, 5])).toBe(
      golden('stage/duckdb', 'losersCensus, the rows as the footers declare them'),
    );
    // A version that is also a key is staged once; keyless tables stage positions only, unranked.
    const keyed = { keys: ['order_id', 'updated_at'], version: 'updated_at' };
    expect(dialects.duckdb.createPositions('s', columns, keyed)).toBe(
      golden('stage/duckdb', 'createPositions, the version also a key'),
    );
    expect(dialects.duckdb.stagePositions('s', keyed, ['/lake/a.parquet'])).toBe(
      golden('stage/duckdb', 'stagePositions, the version also a key'),
    );
    expect(dialects.duckdb.createPositions('s', columns, { keys: [] })).toBe(
      'CREATE TEMP TABLE "s" ("__lakeload_file" INTEGER, "__lakeload_row" BIGINT)',
    );
    expect(dialects.duckdb.stagePositions('s', { keys: [] }, ['/lake/a.parquet'])).toBe(
      golden('stage/duckdb', 'stagePositions without keys'),
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
          // bytea's own `\x` escaped for COPY's text format; nested values as JSON; UTC timestamps with their offset.
        ],
        ["/lake/it's.parquet", '/lake/b.parquet'],
      ),
    ).toBe(golden('stage/postgres', 'copyLinesFromParquet'));
    // Ranked first: the losers left out, matched by position, key and version; into the target, no positions.
    expect(
      dialects.postgres.copyLinesFromParquet(
        [{ name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true }],
        ['/lake/a.parquet'],
        { kept: { positions: 'pos', settings: { keys: ['id'], version: 'v' } }, direct: true },
      ),
    ).toBe(golden('stage/postgres', 'copyLinesFromParquet, ranked, into the target'));
    // Split by the stored key range: the rows outside it (or, `inside`, within it); numbers only.
    const ranked = { positions: 'pos', settings: { keys: ['id'], version: 'v' } };
    const range = (lo: string, inside: boolean) =>
      dialects.postgres.copyLinesFromParquet(
        [{ name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true }],
        ['/lake/a.parquet'],
        { kept: ranked, direct: true, range: { bounds: [{ key: 'id', lo, hi: '12.50' }], inside } },
      );
    expect(range('-3', false)).toBe(
      golden('stage/postgres', 'copyLinesFromParquet, ranked, outside the stored key range'),
    );
    expect(range('-3', true).endsWith(' WHERE (p."id" BETWEEN -3 AND 12.50)')).toBe(true);
    expect(() => range('0) OR (1 = 1', true)).toThrow(/stored key bound is not a number/);
    expect(dialects.postgres.storedKeyRange('t', ['order_id', 'line'])).toBe(
      golden('stage/postgres', 'storedKeyRange'),
    );
    expect(dialects.postgres.tableBytes('t')).toBe(golden('stage/postgres', 'tableBytes'));
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
    const census = (name: string) => goldenPerDialect(dialects, 'census', name);
    expectSql((c) => c.stagingCensus('s', ['order_id', 'line_number']), census('stagingCensus'));
    const keyless =
      'SELECT "__lakeload_file" AS batch_file, count(*) AS staged, 0 AS null_keys FROM "s" GROUP BY "__lakeload_file"';
    expectSql((c) => c.stagingCensus('s', []), { duckdb: keyless, postgres: keyless });
    expectSql((c) => c.replacedPerFile('s', 't', ['order_id']), census('replacedPerFile'));
    expect(dialects.postgres.countedReplace('s', 't', ['order_id'])).toBe(
      golden('census/postgres', 'countedReplace'),
    );
    expect(dialects.duckdb.countedReplace('s', 't', ['order_id'])).toBeUndefined();
  });

  it('keeps the newest version per key, the last row among equals', () => {
    expectSql(
      (c) => c.dedupeStaging('s', ['order_id', 'line_number'], 'updated_at'),
      goldenPerDialect(dialects, 'dedupe', 'dedupeStaging'),
    );
  });

  it('where staging holds the losers, reads the kept rows again from the files', () => {
    const paths = ['/lake/a.parquet', '/lake/b.parquet'];
    // Only the losers are joined, and left out; after the stored rows were matched, the older too.
    expect(dialects.duckdb.insertKeptFromFiles('s', 't', ['order_id'], { keys: ['order_id'] }, paths)).toBe(
      golden('kept-from-files/duckdb', 'insertKeptFromFiles'),
    );
    expect(
      dialects.duckdb.insertKeptFromFiles(
        's',
        't',
        ['order_id', 'updated_at', 'status'],
        { keys: ['order_id'], version: 'updated_at' },
        paths,
        's_matched',
      ),
    ).toBe(golden('kept-from-files/duckdb', 'insertKeptFromFiles, less the older'));
    expect(dialects.duckdb.insertKeptFromFiles('s', 'clicks', ['id'], { keys: [] }, paths)).toBe(
      golden('kept-from-files/duckdb', 'insertKeptFromFiles without keys'),
    );
    // PostgreSQL stages whole rows through COPY; it has no files to read again.
    expect(() => dialects.postgres.insertKeptFromFiles('s', 't', ['id'], { keys: [] }, paths)).toThrow(
      /stages whole rows/,
    );
  });

  it('on DuckDB, joins the stored rows once into a note of the matches that the later steps read', () => {
    const match = (name: string) => golden('match-stored/duckdb', name);
    const paths = ['/lake/a.parquet', '/lake/b.parquet'];
    expect(
      dialects.duckdb.matchStored('s', 't', { keys: ['order_id', 'line'], version: 'updated_at' }, paths),
    ).toEqual({
      note: 's_matched',
      match: match('match'),
      dropOlder: match('dropOlder'),
      replacedPerFile: match('replacedPerFile'),
      deleteReplaced: match('deleteReplaced'),
    });
    // Without a version no staged row is older: every match replaces.
    expect(dialects.duckdb.matchStored('s', 't', { keys: ['id'] }, paths)).toEqual({
      note: 's_matched',
      match: match('match without a version'),
      replacedPerFile: match('replacedPerFile without a version'),
      deleteReplaced: match('deleteReplaced without a version'),
    });
    expect(dialects.postgres.matchStored('s', 't', { keys: ['id'] }, paths)).toBeUndefined();
  });

  it("on DuckDB, probes only the stored rows within the batch's key range; elsewhere any stored row", () => {
    const batch = { keys: ['order_id', 'line'], paths: ['/lake/a.parquet', '/lake/b.parquet'] };
    expect(dialects.duckdb.storedInRange('t', batch)).toBe(
      golden('match-stored/duckdb', "storedInRange, a batch's key range"),
    );
    expect(dialects.duckdb.storedInRange('t', { ...batch, keys: [] })).toBeUndefined();
    const any = 'SELECT count(*) AS stored FROM (SELECT 1 FROM "t" LIMIT 1) AS probe';
    expect(dialects.duckdb.targetHasRows('t')).toBe(any);
    expect(dialects.postgres.targetHasRows('t')).toBe(any);
    expect(dialects.postgres.storedInRange('t', batch)).toBeUndefined();
  });

  it('upserts by version: older staged rows are dropped, replaced rows deleted, staging inserted', () => {
    expectSql(
      (c) => c.dropOlderVersions('s', 't', ['order_id'], 'updated_at'),
      goldenPerDialect(dialects, 'upsert', 'dropOlderVersions'),
    );
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
      golden('upsert/postgres', 'countedDiscard'),
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
    expectSql(
      (c) => c.ledger.recordLoads([entry, failed]),
      goldenPerDialect(dialects, 'ledger-writes', 'recordLoads'),
    );
  });

  it("reads which of a batch's objects the ledger holds, in one statement", () => {
    expectSql(
      (c) =>
        c.ledger.loadedAmong([
          { objectUri: 's3://lake/a.parquet', identity: 'e1' },
          { objectUri: "s3://lake/o'b.parquet", identity: 'e2' },
          { objectUri: 's3://lake/a.parquet', identity: 'e3' },
        ]),
      goldenPerDialect(dialects, 'ledger-writes', 'loadedAmong'),
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
    expectAll(
      (c) => c.createTable('order_summary', columns),
      goldenPerDialect(all, 'create-target', 'createTable'),
    );
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
