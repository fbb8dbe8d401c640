// Redshift SQL → PostgreSQL: exact text for what is translated, loud refusals for what is not.
import { describe, expect, it } from 'vitest';
import { translateStatement, UnsupportedSqlError } from '../../src/index.js';

function sql(text: string): string {
  const translated = translateStatement(text);
  if (translated.kind === 'copy' || translated.kind === 'set') throw new Error('expected SQL');
  return translated.sql;
}

describe('translateStatement', () => {
  it.each([
    [
      'CREATE TABLE t (id BIGINT ENCODE az64, doc SUPER) DISTSTYLE AUTO SORTKEY AUTO ENCODE AUTO',
      'CREATE TABLE t (id BIGINT , doc jsonb)   ',
    ],
    [
      'CREATE TABLE t (id INT DISTKEY SORTKEY, v VARCHAR(MAX))',
      'CREATE TABLE t (id INT  , v VARCHAR(65535))',
    ],
    ['CREATE TABLE t (id INT) INTERLEAVED SORTKEY (id) BACKUP NO', 'CREATE TABLE t (id INT)  '],
    [
      'INSERT INTO t SELECT GETDATE(), SYSDATE',
      'INSERT INTO t SELECT CAST(now() AS timestamp), CAST(now() AS timestamp)',
    ],
    ['LOCK t', 'LOCK TABLE t'],
    ['LOCK TABLE t', 'LOCK TABLE t'],
    ['SELECT top, identity_col FROM t', 'SELECT top, identity_col FROM t'],
    // Inside literals, quoted names and comments nothing changes; PostgreSQL's encode() stays.
    [
      `SELECT 'SUPER GETDATE()', "super", encode(b, 'hex') -- DISTSTYLE AUTO\nFROM t`,
      `SELECT 'SUPER GETDATE()', "super", encode(b, 'hex') -- DISTSTYLE AUTO\nFROM t`,
    ],
    // Quoted names fold to lower case as on Redshift; VARBYTE is bytea.
    [
      'CREATE TABLE "OrderItems" ("UserId" BIGINT, "Raw" VARBYTE(1024000))',
      'CREATE TABLE "orderitems" ("userid" BIGINT, "raw" bytea)',
    ],
  ])('translates %s', (input, output) => {
    expect(sql(input)).toBe(output);
  });

  it('marks TRUNCATE, which commits on Redshift', () => {
    expect(translateStatement('TRUNCATE t').kind).toBe('truncate');
  });

  it('parses COPY from S3 Parquet, its names folded as Redshift folds them unless case-sensitive', () => {
    const copy = `COPY "My Schema".events (a, "B") FROM 's3://bucket/_lakeload/manifests/m.json' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT AS PARQUET MANIFEST SERIALIZETOJSON`;
    const parsed = {
      bucket: 'bucket',
      key: '_lakeload/manifests/m.json',
      iamRole: 'arn:aws:iam::1:role/r',
      manifest: true,
      serializeToJson: true,
    };
    expect(translateStatement(copy)).toEqual({
      kind: 'copy',
      copy: { table: ['my schema', 'events'], columns: ['a', 'b'], ...parsed },
    });
    expect(translateStatement(copy, { caseSensitiveIdentifiers: true })).toEqual({
      kind: 'copy',
      copy: { table: ['My Schema', 'events'], columns: ['a', 'B'], ...parsed },
    });
  });

  it('folds the ASCII letters of quoted names to lower case, never a literal, unless case-sensitive', () => {
    expect(sql(`SELECT "OrderId", "Ünïcode", 'KeepMe' FROM "Orders"`)).toBe(
      `SELECT "orderid", "Ünïcode", 'KeepMe' FROM "orders"`,
    );
    expect(
      (
        translateStatement(`SELECT "OrderId" FROM "Orders"`, { caseSensitiveIdentifiers: true }) as {
          sql: string;
        }
      ).sql,
    ).toBe(`SELECT "OrderId" FROM "Orders"`);
  });

  it("answers STV_DB_ISOLATION_LEVEL with the database's isolation level", () => {
    const view = (isolation: 'snapshot' | 'serializable') =>
      (
        translateStatement('SELECT isolation_level FROM stv_db_isolation_level', { isolation }) as {
          sql: string;
        }
      ).sql;
    expect(view('serializable')).toBe(
      "SELECT isolation_level FROM (SELECT CAST(current_database() AS VARCHAR(128)) AS db_name, CAST('Serializable' AS VARCHAR(20)) AS isolation_level) AS stv_db_isolation_level",
    );
    expect(view('snapshot')).toContain("'Snapshot Isolation'");
  });

  it.each([
    ['SELECT NVL(a, 0) FROM t', /NVL\(\) is not emulated/],
    ['SELECT * FROM t QUALIFY row_number() OVER () = 1', /QUALIFY/],
    ['SELECT * FROM stl_load_errors', /STL_LOAD_ERRORS is not emulated/],
    ["UNLOAD ('select 1') TO 's3://b/k' IAM_ROLE default", /UNLOAD is not emulated/],
    ['ALTER TABLE t ALTER DISTSTYLE EVEN', /ALTER … DISTSTYLE is not emulated/],
    ["COPY t FROM 's3://b/k' IAM_ROLE default FORMAT AS CSV", /FORMAT AS CSV/],
    [
      "COPY t FROM 's3://b/k' IAM_ROLE default FORMAT AS PARQUET MAXERROR 10",
      /MAXERROR argument is not supported for PARQUET/,
    ],
    ["COPY t FROM 's3://b/k' FORMAT AS PARQUET", /IAM_ROLE/],
    ["COPY t FROM 'https://x/k' IAM_ROLE default FORMAT AS PARQUET", /only s3:\/\/ sources/],
    ['SELECT 1; SELECT 2', /2 statements in one SQL text/],
    ['SELECT TOP 10 * FROM t', /SELECT TOP is not emulated/],
  ])('refuses %s', (input, message) => {
    expect(() => translateStatement(input)).toThrow(UnsupportedSqlError);
    expect(() => translateStatement(input)).toThrow(message);
  });
});

describe('ROW_NUMBER as Redshift numbers ties', () => {
  it('numbers rows of equal ORDER BY values in random order, and leaves RANK alone', () => {
    expect(sql('SELECT row_number() OVER (PARTITION BY k ORDER BY v DESC NULLS LAST) AS r FROM t')).toBe(
      'SELECT row_number() OVER (PARTITION BY k ORDER BY v DESC NULLS LAST, random()) AS r FROM t',
    );
    expect(sql('SELECT ROW_NUMBER ( ) OVER ( PARTITION BY k ) FROM t')).toBe(
      'SELECT ROW_NUMBER ( ) OVER ( PARTITION BY k  ORDER BY random()) FROM t',
    );
    expect(sql('SELECT row_number() OVER (ORDER BY f(a, b)) FROM t')).toBe(
      'SELECT row_number() OVER (ORDER BY f(a, b), random()) FROM t',
    );
    expect(sql('SELECT rank() OVER (ORDER BY v) FROM t')).toBe('SELECT rank() OVER (ORDER BY v) FROM t');
    expect(sql(`SELECT 'row_number() over (order by v)' AS "row_number"`)).toBe(
      `SELECT 'row_number() over (order by v)' AS "row_number"`,
    );
  });
});
