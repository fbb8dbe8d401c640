// Every ledger statement, writes and reads (status, reconcile, dashboard), per dialect against the
// checked-in golden files fixtures/sql/ledger/<dialect>.sql; then the refusals.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LedgerReads } from '../../src/ledger/ledger-reads.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';
import { ledgerStatements, SINCE } from '../ledger-statements.js';

const compilers = {
  duckdb: new DuckDBSqlCompiler(),
  postgres: new PostgresSqlCompiler(),
  redshift: new RedshiftSqlCompiler(),
};

describe('ledger statements', () => {
  it.each(Object.entries(compilers))('%s: the golden file, statement by statement', (name, compiler) => {
    const golden = readFileSync(new URL(`../fixtures/sql/ledger/${name}.sql`, import.meta.url), 'utf8');
    const split = (text: string) => text.split(/\n(?=-- )/);
    expect(split(ledgerStatements(compiler))).toEqual(split(golden));
  });

  it('names no current-time function in a read: Redshift refuses CURRENT_TIMESTAMP over tables', () => {
    for (const compiler of Object.values(compilers)) {
      const reads = new LedgerReads(compiler);
      const statements = [
        reads.overview(SINCE),
        reads.deadLetterCounts(SINCE),
        reads.activity({ since: SINCE }, 'hour'),
        reads.latency({ since: SINCE }, 'hour'),
        reads.freshness(),
        reads.failureGroups(),
        reads.failureExamples(3),
        reads.pendingDeadLetters(10),
        reads.recentLoads(5),
        reads.loadedTables(),
        reads.recentFailures(5),
        reads.waitingDeadLetters(),
      ];
      for (const statement of statements) expect(statement).not.toMatch(/CURRENT_TIMESTAMP|GETDATE|now\(/i);
    }
  });

  it('refuses windows, limits, example counts and prefixes it cannot state safely', () => {
    const reads = new LedgerReads(compilers.duckdb);
    expect(() => reads.overview(SINCE + 0.5)).toThrow(/a window start must be a whole number/);
    expect(() => reads.latency({ since: 0 }, 'hour')).toThrow(/a window start must be a whole number/);
    expect(() => reads.pendingDeadLetters(-1)).toThrow(/whole number/);
    expect(() => reads.recentLoads(1.5)).toThrow(/whole number/);
    expect(() => reads.failureExamples(0)).toThrow(/whole number/);
    expect(() => reads.loadedUnder('')).toThrow(/cannot be empty/);
    expect(() => new LedgerReads(compilers.redshift).failuresUnder('s3://a/\u0000')).toThrow(/NUL/);
  });
});
