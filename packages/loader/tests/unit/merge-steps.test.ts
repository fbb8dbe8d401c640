// The one merge rule (plan/merge-steps.ts) and the one-batch planner built on it: capabilities,
// not dialect names, decide which steps a load runs and in what order.
import { describe, expect, it } from 'vitest';
import {
  type BatchMergeInput,
  type BatchSql,
  BatchTooLargeError,
  planBatchMerge,
} from '../../src/plan/batch-merge.js';
import { planMerge } from '../../src/plan/merge-plan.js';
import { type MergeRules, mergeSteps } from '../../src/plan/merge-steps.js';
import { checkColumnNames, checkTableName } from '../../src/schema/names.js';
import type { Column } from '../../src/schema/parquet.js';
import type { Capabilities, TableSettings } from '../../src/warehouse/dialect.js';
import { duckdbCapabilities } from '../../src/warehouse/duckdb/duckdb-adapter.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { postgresCapabilities } from '../../src/warehouse/postgres/postgres-adapter.js';
import { redshiftCapabilities } from '../../src/warehouse/redshift/redshift-adapter.js';

const versioned: TableSettings = { keys: ['id'], version: 'v', contract: 'evolve' };
const keyed: TableSettings = { keys: ['id'], contract: 'evolve' };
const keyless: TableSettings = { keys: [], contract: 'evolve' };
const interactive: MergeRules = {
  writerLock: 'table-lock',
  execution: 'interactive',
  fileRowOrder: 'visible',
};
const steps = (rules: MergeRules, settings: TableSettings, declaresRows = true) =>
  mergeSteps(rules, { table: 't', settings, declaresRows });

describe('the merge rule', () => {
  it('a versioned upsert: lock, ledger, stage, refusals, newest per key, older dropped, replace, insert, ledger', () => {
    expect(steps(interactive, versioned)).toEqual([
      'lock',
      'ledger-check',
      'stage',
      'row-counts',
      'null-keys',
      'dedupe',
      'drop-older',
      'delete-replaced',
      'insert',
      'ledger',
    ]);
  });

  it('keyless tables append; a writer lock only where the dialect takes one; row counts only where a footer declares them', () => {
    expect(steps({ ...interactive, writerLock: 'in-process' }, keyless, false)).toEqual([
      'ledger-check',
      'stage',
      'insert',
      'ledger',
    ]);
    expect(steps(interactive, keyed)).not.toContain('drop-older');
  });

  it('refuses ties within a file exactly where staging hides the row order', () => {
    expect(steps(interactive, keyed)).not.toContain('ties');
    const hidden = steps({ ...interactive, fileRowOrder: 'hidden' }, keyed);
    expect(hidden.slice(hidden.indexOf('null-keys'), hidden.indexOf('dedupe') + 1)).toEqual([
      'null-keys',
      'ties',
      'dedupe',
    ]);
    // A keyless table has no key to tie on.
    expect(steps({ ...interactive, fileRowOrder: 'hidden' }, keyless)).not.toContain('ties');
  });

  it('with one-batch execution keeps the counts before any stored row is deleted', () => {
    const oneBatch = steps({ ...interactive, execution: 'one-batch' }, versioned);
    expect(oneBatch.slice(oneBatch.indexOf('drop-older'))).toEqual([
      'drop-older',
      'count',
      'delete-replaced',
      'insert',
      'ledger',
    ]);
    expect(steps({ ...interactive, execution: 'one-batch' }, keyless)).toContain('count');
    expect(steps(interactive, versioned)).not.toContain('count');
  });

  it('refuses a version column without keys, for every dialect', () => {
    for (const rules of [interactive, redshiftCapabilities]) {
      expect(() => steps(rules, { keys: [], version: 'v', contract: 'evolve' })).toThrow(
        /t: a version column \(v\) needs keys to compare rows by/,
      );
    }
  });

  it('each dialect gets its steps from its capabilities', () => {
    expect(steps(duckdbCapabilities, keyed)).toEqual(
      steps({ ...interactive, writerLock: 'in-process' }, keyed),
    );
    expect(steps(postgresCapabilities, keyed)).toEqual(steps(interactive, keyed));
    expect(steps(redshiftCapabilities, keyed)).toEqual(
      steps({ ...interactive, execution: 'one-batch', fileRowOrder: 'hidden' }, keyed),
    );
  });
});

describe('the interactive plan follows the rule', () => {
  const compiler = new DuckDBSqlCompiler();
  const input = {
    table: 't',
    columns: ['id', 'v'],
    staging: 's',
    stagingHolds: 'rows' as const,
    paths: ['/lake/a.parquet'],
    declaresRows: true,
  };

  it('refuses a version without keys instead of appending as if there were none', () => {
    expect(() =>
      planMerge(compiler, {
        ...input,
        rules: interactive,
        settings: { keys: [], version: 'v', contract: 'evolve' },
      }),
    ).toThrow(/needs keys/);
  });

  it('refuses capabilities it cannot honour: hidden row order, one-batch execution', () => {
    for (const rules of [
      { ...interactive, fileRowOrder: 'hidden' as const },
      { ...interactive, execution: 'one-batch' as const },
    ]) {
      expect(() => planMerge(compiler, { ...input, rules, settings: keyed })).toThrow(
        /an interactive merge needs interactive execution and visible file row order/,
      );
    }
  });
});

/** A one-batch dialect whose statements name what they were given, so the plan's choices show. */
const fakeSql: BatchSql<BatchMergeInput, 'copy'> = {
  lock: () => 'lock',
  ledgerCheck: () => 'check',
  guard: () => 'GUARD',
  stage: (input) => [
    ...input.files.map((_, n) => ({ step: 'copy' as const, sql: `copy ${n}` })),
    { step: 'stage', sql: 'stage' },
  ],
  rowCounts: () => 'row-counts',
  nullKeys: () => 'null-keys',
  ties: () => 'ties',
  dedupe: () => 'dedupe',
  dropOlder: () => 'drop-older',
  count: (_, context) =>
    `count from ${context.deduped ? 'kept' : 'staged'}${context.replaces ? ' with replaced' : ''}`,
  deleteReplaced: (_, context) => `delete where ${context.guard}`,
  insert: (_, context) => `insert from ${context.deduped ? 'kept' : 'staged'} where ${context.guard}`,
  ledgerRow: (_, file, n, context) => `row ${n} ${file.objectUri} where ${context.guard}`,
  ledgerInsert: (rows) => `ledger: ${rows.join(' + ')}`,
};

const oneBatch: Capabilities = {
  writerLock: 'table-lock',
  copiesFromObjectStore: true,
  maxBatchFiles: 10,
  execution: 'one-batch',
  fileRowOrder: 'visible',
  names: {
    foldsToLower: false,
    caseInsensitive: false,
    reservedColumns: ['__file'],
    reservedTablePrefix: '__tmp_',
  },
};
const id: Column = { name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true };
const files = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ objectUri: `s3://b/${i}`, identity: `e${i}` }));
const batch = (settings: TableSettings, count = 2): BatchMergeInput => ({
  batchId: 'b1',
  table: 't',
  settings,
  columns: [id],
  files: files(count),
});

describe('the one-batch plan', () => {
  it('runs the rule’s steps in its order, with every write guarded by the ledger check', () => {
    const planned = planBatchMerge(fakeSql, oneBatch, batch(versioned));
    expect(planned).toEqual([
      { step: 'lock', sql: 'lock' },
      { step: 'ledger-check', sql: 'check' },
      { step: 'copy', sql: 'copy 0' },
      { step: 'copy', sql: 'copy 1' },
      { step: 'stage', sql: 'stage' },
      { step: 'null-keys', sql: 'null-keys' },
      { step: 'dedupe', sql: 'dedupe' },
      { step: 'drop-older', sql: 'drop-older' },
      { step: 'count', sql: 'count from kept with replaced' },
      { step: 'delete-replaced', sql: 'delete where GUARD' },
      { step: 'insert', sql: 'insert from kept where GUARD' },
      { step: 'ledger', sql: 'ledger: row 0 s3://b/0 where GUARD + row 1 s3://b/1 where GUARD' },
    ]);
  });

  it('adds the tie refusal only for a dialect that hides file row order, and reads staged rows for keyless tables', () => {
    const hidden = planBatchMerge(fakeSql, { ...oneBatch, fileRowOrder: 'hidden' }, batch(keyed));
    expect(hidden.map((s) => s.step)).toContain('ties');
    expect(planBatchMerge(fakeSql, oneBatch, batch(keyed)).map((s) => s.step)).not.toContain('ties');
    const append = planBatchMerge(fakeSql, oneBatch, batch(keyless));
    expect(append.find((s) => s.step === 'count')?.sql).toBe('count from staged');
    expect(append.find((s) => s.step === 'insert')?.sql).toBe('insert from staged where GUARD');
  });

  it('holds the batch to the dialect’s limits and splits ledger rows by its statement size', () => {
    expect(() => planBatchMerge(fakeSql, { ...oneBatch, maxStatements: 11 }, batch(versioned))).toThrow(
      BatchTooLargeError,
    );
    expect(planBatchMerge(fakeSql, { ...oneBatch, maxStatements: 12 }, batch(versioned))).toHaveLength(12);
    const narrow = planBatchMerge(fakeSql, { ...oneBatch, maxStatementBytes: 60 }, batch(keyless, 3));
    expect(narrow.filter((s) => s.step === 'ledger').map((s) => s.sql)).toEqual([
      'ledger: row 0 s3://b/0 where GUARD',
      'ledger: row 1 s3://b/1 where GUARD',
      'ledger: row 2 s3://b/2 where GUARD',
    ]);
  });

  it('refuses the dialect’s reserved names, a bad batch, and an interactive dialect', () => {
    expect(() => planBatchMerge(fakeSql, oneBatch, { ...batch(keyless), table: '__tmp_x' })).toThrow(
      /reserves for its temporary tables/,
    );
    expect(() =>
      planBatchMerge(fakeSql, oneBatch, { ...batch(keyless), columns: [id, { ...id, name: '__FILE' }] }),
    ).toThrow(/reserved by the loader/);
    expect(() => planBatchMerge(fakeSql, oneBatch, { ...batch(keyless), batchId: 'B-1' })).toThrow(
      /batch id/,
    );
    expect(() => planBatchMerge(fakeSql, oneBatch, batch(keyless, 0))).toThrow(/at least one file/);
    expect(() => planBatchMerge(fakeSql, { ...oneBatch, execution: 'interactive' }, batch(keyless))).toThrow(
      /one-batch plan/,
    );
  });
});

describe("Redshift's reserved names are capabilities, checked where every file's names are", () => {
  it('refuses the staged-file column in any case, and tables named like its temp tables', () => {
    const names = redshiftCapabilities.names;
    expect(() => checkColumnNames('t', [{ ...id, name: '__LAKELOAD_FILE' }], names)).toThrow(
      /reserved by the loader/,
    );
    expect(() => checkTableName('__lakeload_stage', names)).toThrow(/reserves for its temporary tables/);
    expect(() => checkTableName('__lakeload_stage', duckdbCapabilities.names)).not.toThrow();
  });
});
