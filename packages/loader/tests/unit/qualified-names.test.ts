// With the driver's schema set, every statement names the target and the ledger tables by schema
// and name (an unqualified name resolves in PostgreSQL's pg_catalog first); staging stays a
// temporary table of the session, unqualified.
import { describe, expect, it } from 'vitest';
import { LedgerReads } from '../../src/ledger/ledger-reads.js';
import type { Column } from '../../src/schema/parquet.js';
import { DuckDBSqlCompiler } from '../../src/warehouse/duckdb/duckdb-sql-compiler.js';
import { PostgresSqlCompiler } from '../../src/warehouse/postgres/postgres-sql-compiler.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';

const columns: Column[] = [{ name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true }];

function compilers() {
  const all = {
    duckdb: new DuckDBSqlCompiler(),
    postgres: new PostgresSqlCompiler(),
    redshift: new RedshiftSqlCompiler(),
  };
  for (const compiler of Object.values(all)) compiler.schema = 'lake"s';
  return all;
}

describe('schema-qualified names', () => {
  it.each(Object.entries(compilers()))(
    '%s: the target, the ledger and the dead letters',
    (_name, compiler) => {
      expect(compiler.createTable('orders', columns)).toMatch(
        /^CREATE TABLE IF NOT EXISTS "lake""s"\."orders" \(/,
      );
      expect(compiler.addColumn('orders', columns[0] as Column)).toMatch(
        /^ALTER TABLE "lake""s"\."orders" ADD COLUMN "id" /,
      );
      expect(compiler.ledger.createLedger()).toMatch(
        /^CREATE TABLE IF NOT EXISTS "lake""s"\."lakeload_load_history" \(/,
      );
      expect(compiler.ledger.createDeadLetters()).toMatch(
        /^CREATE TABLE IF NOT EXISTS "lake""s"\."lakeload_dead_letters" \(/,
      );
      expect(compiler.ledger.markReplayed('u', 'i')).toMatch(
        /^UPDATE "lake""s"\."lakeload_dead_letters" SET/,
      );
      expect(compiler.ledger.pendingDeadLetters()).toContain(' FROM "lake""s"."lakeload_dead_letters" WHERE');
      expect(new LedgerReads(compiler).loadedUnder('s3://lake/')).toContain(
        ' FROM "lake""s"."lakeload_load_history" WHERE',
      );
    },
  );

  it('DuckDB and PostgreSQL: the merge names the target qualified and staging bare', () => {
    const { duckdb, postgres } = compilers();
    for (const compiler of [duckdb, postgres]) {
      expect(compiler.deleteReplaced('stage', 'orders', ['id'])).toBe(
        'DELETE FROM "lake""s"."orders" AS t USING "stage" AS s WHERE t."id" = s."id"',
      );
      expect(compiler.insertFromStaging('stage', 'orders', ['id'])).toBe(
        'INSERT INTO "lake""s"."orders" ("id") SELECT "id" FROM "stage"',
      );
    }
    expect(postgres.copyFromStdin('stage', ['id'])).toBe(
      'COPY "stage" ("id", "__lakeload_file", "__lakeload_row") FROM STDIN',
    );
    expect(postgres.copyFromStdin('orders', ['id'], true)).toBe('COPY "lake""s"."orders" ("id") FROM STDIN');
    expect(postgres.lockTable('orders')).toBe('LOCK TABLE "lake""s"."orders" IN SHARE ROW EXCLUSIVE MODE');
  });
});
