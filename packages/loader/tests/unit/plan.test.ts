// The plan stage: batch grouping and ordering, and the merge sequence, as pure functions.
import { describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/events/types.js';
import { compareSequencers, oldestFirst, planBatches } from '../../src/plan/batch.js';
import { planMerge } from '../../src/plan/merge-plan.js';
import type { Column } from '../../src/schema/parquet.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { SqlCompiler } from '../../src/warehouse/sql-compiler.js';

const id: Column = { name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true };
const note: Column = { name: 'note', type: { kind: 'string' }, nullable: true };

function object(key: string, eventTime: string, sequencer?: string): ObjectRef {
  return { bucket: 'lake', key, size: 10, etag: key, eventTime, ...(sequencer ? { sequencer } : {}) };
}

const file = (name: string, table: string, eventTime: string, columns = [id], sequencer?: string) => ({
  name,
  table,
  columns,
  ref: object(`${table}/${name}.parquet`, eventTime, sequencer),
});

describe('batch plan', () => {
  it('compares sequencers after right-padding with zeros', () => {
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E6')).toBeLessThan(0);
    expect(compareSequencers('0055AED6DCD9028', '0055AED6DCD90281')).toBeLessThan(0);
    expect(compareSequencers('00A', '00A000')).toBe(0);
    expect(compareSequencers('00B', '00A9')).toBeGreaterThan(0);
  });

  it('orders by event time, and events of one key by sequencer even when their times say otherwise', () => {
    const items = [
      { ref: object('t/x.parquet', '2025-11-13T10:00:02Z', '0002') },
      { ref: object('t/y.parquet', '2025-11-13T10:00:01Z') },
      { ref: object('t/x.parquet', '2025-11-13T10:00:00Z', '0003') },
      { ref: object('t/z.parquet', '2025-11-13T10:00:01Z') },
    ];
    expect(oldestFirst(items).map((item) => `${item.ref.key}@${item.ref.sequencer ?? '-'}`)).toEqual([
      't/x.parquet@0002',
      't/y.parquet@-',
      't/z.parquet@-',
      't/x.parquet@0003',
    ]);
  });

  it('groups one table and identical columns, oldest first, at most the limit per batch', () => {
    const batches = planBatches(
      [
        file('a3', 'a', '2025-11-13T10:00:03Z'),
        file('b1', 'b', '2025-11-13T10:00:00Z'),
        file('a1', 'a', '2025-11-13T10:00:01Z'),
        file('a2', 'a', '2025-11-13T10:00:02Z'),
        file('a4', 'a', '2025-11-13T10:00:04Z'),
      ],
      3,
    );
    expect(batches.map((batch) => batch.map((item) => item.name))).toEqual([
      ['b1'],
      ['a1', 'a2', 'a3'],
      ['a4'],
    ]);
  });

  it('ends a run where the columns change, so no newer file of a table loads before an older one', () => {
    const batches = planBatches(
      [
        file('v1', 't', '2025-11-13T10:00:01Z'),
        file('v2', 't', '2025-11-13T10:00:02Z', [id, note]),
        file('v1b', 't', '2025-11-13T10:00:03Z'),
        file('v1c', 't', '2025-11-13T10:00:04Z'),
      ],
      10,
    );
    expect(batches.map((batch) => batch.map((item) => item.name))).toEqual([['v1'], ['v2'], ['v1b', 'v1c']]);
  });
});

/** The SQL every dialect shares, none of a dialect's own steps. */
class SharedSql extends SqlCompiler {
  columnType(): string {
    return 'TEXT';
  }
}

/** What the interactive dialects (DuckDB, PostgreSQL) tell the merge rule. */
const interactive = {
  rules: { writerLock: 'table-lock', execution: 'interactive', fileRowOrder: 'visible' },
  declaresRows: true,
} as const;

describe('merge plan', () => {
  const compiler = new DuckDBSqlCompiler();
  const shared = new SharedSql();
  const settings = { keys: ['id'], version: 'updated_at', contract: 'evolve' as const };
  const two = ['/lake/a.parquet', '/lake/b.parquet'];

  it('where staging holds rows: refuses null keys, dedupes, and only where rows are stored drops older versions and replaces them', () => {
    const plan = planMerge(shared, {
      ...interactive,
      table: 't',
      settings,
      columns: ['id', 'updated_at'],
      staging: 's',
      stagingHolds: 'rows',
      paths: two,
    });
    expect(plan).toEqual({
      census: shared.stagingCensus('s', ['id']),
      censusCountsKept: false,
      dedupe: { sql: shared.dedupeStaging('s', ['id'], 'updated_at'), counted: 'recount' },
      target: {
        hasRows: 'SELECT count(*) AS stored FROM (SELECT 1 FROM "t" LIMIT 1) AS probe',
        dropOlder: { sql: shared.dropOlderVersions('s', 't', ['id'], 'updated_at'), counted: 'recount' },
        replacedPerFile: shared.replacedPerFile('s', 't', ['id']),
        deleteReplaced: shared.deleteReplaced('s', 't', ['id']),
        deleteCountsPerFile: false,
      },
      survivors: shared.stagingCensus('s', ['id']),
      insert: shared.insertFromStaging('s', 't', ['id', 'updated_at']),
    });
  });

  it("where staging holds the losers' positions: the census is the driver's, the stored rows are matched from the files, the insert reads the files leaving out the losers (and, after the joins, the rows older than stored)", () => {
    const plan = planMerge(compiler, {
      ...interactive,
      table: 't',
      settings,
      columns: ['id', 'updated_at'],
      staging: 's',
      stagingHolds: 'positions',
      paths: two,
    });
    const matched = compiler.matchStored('s', 't', settings, two);
    expect(plan).toEqual({
      censusCountsKept: true,
      target: {
        // Only stored rows within the files' key range can meet the batch.
        hasRows: compiler.targetHasRows('t'),
        hasRowsInRange: compiler.storedInRange('t', { keys: ['id'], paths: two }),
        // DuckDB joins the stored rows once, into a note of the matches, and works on that.
        matchStored: matched.match,
        // The older rows are counted from the note, and the insert leaves them out.
        dropOlder: { sql: matched.dropOlder, counted: 'returned' },
        replacedPerFile: matched.replacedPerFile,
        deleteReplaced: matched.deleteReplaced,
        deleteCountsPerFile: false,
        insertPruned: compiler.insertKeptFromFiles(
          's',
          't',
          ['id', 'updated_at'],
          settings,
          two,
          's_matched',
        ),
      },
      insert: compiler.insertKeptFromFiles('s', 't', ['id', 'updated_at'], settings, two),
    });
    // Without a version nothing older is dropped: nothing needs counting again.
    const unversioned = planMerge(compiler, {
      ...interactive,
      table: 't',
      settings: { keys: ['id'], contract: 'evolve' },
      columns: ['id'],
      staging: 's',
      stagingHolds: 'positions',
      paths: two,
    });
    expect(unversioned.target?.dropOlder).toBeUndefined();
    expect(unversioned.survivors).toBeUndefined();
  });

  it("counts one file's replaced rows by the DELETE itself, drops nothing older without a version, and appends to keyless tables", () => {
    const one = planMerge(shared, {
      ...interactive,
      table: 't',
      settings: { keys: ['id'], contract: 'evolve' },
      columns: ['id'],
      staging: 's',
      stagingHolds: 'rows',
      paths: ['/lake/a.parquet'],
    });
    expect(one.target?.replacedPerFile).toBeUndefined();
    expect(one.target?.dropOlder).toBeUndefined();
    expect(one.target?.deleteReplaced).toBe(shared.deleteReplaced('s', 't', ['id']));
    const keyless = { table: 'clicks', settings: { keys: [], contract: 'evolve' as const }, columns: ['id'] };
    expect(
      planMerge(compiler, { ...interactive, ...keyless, staging: 's', stagingHolds: 'rows', paths: two }),
    ).toEqual({
      census: compiler.stagingCensus('s', []),
      censusCountsKept: false,
      insert: compiler.insertFromStaging('s', 'clicks', ['id']),
    });
    expect(
      planMerge(compiler, {
        ...interactive,
        ...keyless,
        staging: 's',
        stagingHolds: 'positions',
        paths: two,
      }),
    ).toEqual({
      census: compiler.stagingCensus('s', []),
      censusCountsKept: false,
      insert: compiler.insertKeptFromFiles('s', 'clicks', ['id'], keyless.settings, two),
    });
  });

  it('on PostgreSQL, analyzes the staged keys before the joins and counts each discard per file in the DELETE itself', () => {
    const postgres = new PostgresSqlCompiler();
    const plan = planMerge(postgres, {
      ...interactive,
      table: 't',
      settings,
      columns: ['id'],
      staging: 's',
      stagingHolds: 'rows',
      paths: two,
    });
    expect(plan.survivors).toBeUndefined();
    expect(plan.dedupe).toEqual({
      sql: postgres.countedDiscard(postgres.dedupeStaging('s', ['id'], 'updated_at')),
      counted: 'returned',
    });
    expect(plan.target?.analyze).toBe('ANALYZE "s" ("id")');
    expect(plan.target?.dropOlder).toEqual({
      sql: postgres.countedDiscard(postgres.dropOlderVersions('s', 't', ['id'], 'updated_at')),
      counted: 'returned',
    });
  });

  it('where staging holds kept rows: no census or dedupe of its own, the insert reads staging; keyless tables as with rows', () => {
    const postgres = new PostgresSqlCompiler();
    const keyed = { table: 't', settings, columns: ['id', 'updated_at'], staging: 's', paths: two };
    expect(planMerge(postgres, { ...interactive, ...keyed, stagingHolds: 'kept-rows' })).toEqual({
      censusCountsKept: true,
      target: {
        hasRows: postgres.targetHasRows('t'),
        analyze: 'ANALYZE "s" ("id")',
        dropOlder: {
          sql: postgres.countedDiscard(postgres.dropOlderVersions('s', 't', ['id'], 'updated_at')),
          counted: 'returned',
        },
        // The DELETE counts what it replaced per file: no join before it.
        deleteReplaced: postgres.countedReplace('s', 't', ['id']),
        deleteCountsPerFile: true,
      },
      insert: postgres.insertFromStaging('s', 't', ['id', 'updated_at']),
    });
    const keyless = { ...keyed, settings: { keys: [], contract: 'evolve' as const } };
    expect(planMerge(postgres, { ...interactive, ...keyless, stagingHolds: 'kept-rows' })).toEqual(
      planMerge(postgres, { ...interactive, ...keyless, stagingHolds: 'rows' }),
    );
  });
});
