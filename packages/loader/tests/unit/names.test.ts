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

  it('refuses a column without a name, or with a NUL character, naming its position', () => {
    for (const rules of [duckdb, postgres, redshift]) {
      expect(() => checkColumnNames('t', [col('id'), col('')], rules)).toThrow(
        /t: the file's column 2 is named "", which no SQL identifier can be; give it a name/,
      );
      expect(() => checkColumnNames('t', [col('a\u0000b')], rules)).toThrow(/column 1 is named "a\\u0000b"/);
    }
  });

  it("refuses on Redshift, whatever their case, the columns its staging adds beside the file's", () => {
    for (const name of ['__LAKELOAD_FILE', '__lakeload_rank']) {
      expect(() => checkColumnNames('t', [col('id'), col(name)], redshift)).toThrow(
        new RegExp(`"${name}" has a name the loader uses for its own bookkeeping`),
      );
    }
  });

  it("refuses a column named like the warehouse's system columns, as the catalog stores it", () => {
    expect(() => checkColumnNames('t', [col('ctid')], postgres)).toThrow(
      /"ctid" has the name of a system column every table of this warehouse has .*rename the column/,
    );
    // Quoted names keep their case in PostgreSQL: "XMIN" is a column of its own there.
    expect(() => checkColumnNames('t', [col('XMIN'), col('oid')], postgres)).not.toThrow();
    expect(() => checkColumnNames('t', [col('XMIN')], redshift)).toThrow(/"XMIN" has the name of a system/);
    expect(() => checkColumnNames('t', [col('oid')], redshift)).toThrow(/"oid" has the name of a system/);
    expect(() => checkColumnNames('t', [col('ctid')], duckdb)).not.toThrow();
  });

  it('refuses a file of more columns than the warehouse can stage', () => {
    const columns = (count: number) => Array.from({ length: count }, (_, index) => col(`c${index}`));
    expect(() => checkColumnNames('t', columns(1598), postgres)).not.toThrow();
    expect(() => checkColumnNames('t', columns(1599), postgres)).toThrow(
      /t: the file has 1599 columns; this warehouse loads at most 1598 .*Split the file's columns/,
    );
    expect(() => checkColumnNames('t', columns(1599), redshift)).not.toThrow();
    expect(() => checkColumnNames('t', columns(1600), redshift)).toThrow(/loads at most 1599/);
    expect(() => checkColumnNames('t', columns(3000), duckdb)).not.toThrow();
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
