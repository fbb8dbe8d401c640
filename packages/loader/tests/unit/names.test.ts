import { describe, expect, it } from 'vitest';
import { evolve } from '../../src/schema/evolve.js';
import {
  checkColumnNames,
  checkTableName,
  NameCollisionError,
  nameKey,
  storedName,
} from '../../src/schema/names.js';
import type { Column } from '../../src/schema/parquet.js';
import { duckdbCapabilities } from '../../src/warehouse/duckdb/duckdb-adapter.js';
import { postgresCapabilities } from '../../src/warehouse/postgres/postgres-adapter.js';
import { redshiftCapabilities } from '../../src/warehouse/redshift/redshift-adapter.js';
import { columnsSql } from '../../src/warehouse/redshift/redshift-introspector.js';
import { RedshiftSqlCompiler } from '../../src/warehouse/redshift/redshift-sql-compiler.js';

const int: Column['type'] = { kind: 'int', bits: 32, signed: true };
const col = (name: string): Column => ({ name, type: int, nullable: true });
const { names: duckdb } = duckdbCapabilities;
const { names: postgres } = postgresCapabilities;
const { names: redshift } = redshiftCapabilities;

describe('name rules per warehouse', () => {
  it('stores names as each warehouse does: folded (Redshift), cut at a character boundary', () => {
    expect(storedName('UserId', redshift)).toBe('userid');
    expect(storedName('UserId', postgres)).toBe('UserId');
    expect(storedName('UserId', duckdb)).toBe('UserId');
    const long = `${'a'.repeat(62)}é`;
    expect(storedName(long, postgres)).toBe('a'.repeat(62));
    expect(storedName('x'.repeat(200), duckdb)).toHaveLength(200);
    expect(storedName('x'.repeat(200), redshift)).toHaveLength(127);
    expect(nameKey('Events', duckdb)).toBe(nameKey('events', duckdb));
    expect(nameKey('Events', postgres)).not.toBe(nameKey('events', postgres));
  });

  it('refuses file columns one warehouse name apart, naming both', () => {
    for (const rules of [duckdb, postgres, redshift]) {
      expect(() => checkColumnNames('t', [col('Val'), col('val')], rules)).toThrow(NameCollisionError);
      expect(() => checkColumnNames('t', [col('Val'), col('val')], rules)).toThrow(/"Val" and "val"/);
    }
    const prefix = 'p'.repeat(63);
    expect(() => checkColumnNames('t', [col(`${prefix}_a`), col(`${prefix}_b`)], postgres)).toThrow(
      /share their first 63 bytes/,
    );
    expect(() => checkColumnNames('t', [col(`${prefix}_a`), col(`${prefix}_b`)], duckdb)).not.toThrow();
  });

  it("refuses the reader's own column names where the loader reads files itself", () => {
    for (const rules of [duckdb, postgres]) {
      expect(() => checkColumnNames('t', [col('FILE_ROW_NUMBER')], rules)).toThrow(/bookkeeping/);
    }
    expect(() => checkColumnNames('t', [col('file_row_number')], redshift)).not.toThrow();
  });

  it('refuses table names the warehouse would cut', () => {
    expect(() => checkTableName('t'.repeat(64), postgres)).toThrow(
      /64 bytes long; the warehouse keeps only 63/,
    );
    expect(() => checkTableName('t'.repeat(63), postgres)).not.toThrow();
    expect(() => checkTableName('t'.repeat(500), duckdb)).not.toThrow();
  });

  it('matches a file column with the folded or case-insensitive table column: nothing to add', () => {
    expect(evolve([col('userid')], [col('UserId')], 'freeze', 't', redshift)).toEqual({ add: [], widen: [] });
    expect(evolve([col('Events')], [col('events')], 'freeze', 't', duckdb)).toEqual({ add: [], widen: [] });
    const long = `measurement_${'x'.repeat(58)}`;
    expect(evolve([col(storedName(long, postgres))], [col(long)], 'freeze', 't', postgres)).toEqual({
      add: [],
      widen: [],
    });
  });

  it('looks a Redshift table up by its folded name: a folder OrderItems/ is table orderitems', () => {
    expect(columnsSql(new RedshiftSqlCompiler(), 'OrderItems')).toContain("table_name = 'orderitems'");
  });
});
