// Every footer of the shared corpus (files written by Spark, Impala, parquet-mr, Arrow and arrow-rs)
// read by our reader, compared with the schema DuckDB itself reports for the file.
import { DuckDBInstance } from '@duckdb/node-api';
import { corpusFiles } from '@lakeload/testkit/parquet-corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeType } from '../../src/schema/evolve.js';
import { type ColumnType, fileSource, readParquetSchema } from '../../src/schema/parquet.js';
import { parseDuckDBType } from '../../src/warehouse/duckdb/duckdb-introspector.js';

let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
});
afterAll(() => db.closeSync());

/** Our type as DuckDB reads it: half floats are FLOAT to DuckDB. */
function asDuckDBReads(type: ColumnType): ColumnType {
  if (type.kind === 'float' && type.bits === 16) return { kind: 'float', bits: 32 };
  if (type.kind === 'nested' && type.children) {
    return {
      ...type,
      children: type.children.map((child) => ({ ...child, type: asDuckDBReads(child.type) })),
    };
  }
  return type;
}

/**
 * DuckDB reads legacy timestamps (INT96, converted TIMESTAMP_MILLIS/MICROS) as local TIMESTAMPs;
 * the Parquet spec makes them UTC instants (isAdjustedToUTC = true), and so does the reader.
 */
function utcTimestamps(type: ColumnType): ColumnType {
  if (type.kind === 'timestamp') return { ...type, utc: true };
  if (type.kind === 'nested' && type.children) {
    return {
      ...type,
      children: type.children.map((child) => ({ ...child, type: utcTimestamps(child.type) })),
    };
  }
  return type;
}

describe('the footer reader on the shared corpus', () => {
  it.each(corpusFiles())('reads $name with the columns, types and rows DuckDB reports', async ({ path }) => {
    const source = await fileSource(path);
    const schema = await readParquetSchema(source).finally(() => source.close());
    const connection = await db.connect();
    const described = (
      await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)
    ).getRowObjectsJson();
    const [count] = (
      await connection.runAndReadAll(`SELECT count(*)::VARCHAR AS n FROM read_parquet('${path}')`)
    ).getRowObjectsJson();
    // Legacy timestamps: INT96, or a converted TIMESTAMP_* without a logical type.
    const legacy = (
      await connection.runAndReadAll(
        `SELECT name FROM parquet_schema('${path}') WHERE type = 'INT96' OR (converted_type LIKE 'TIMESTAMP%' AND logical_type IS NULL)`,
      )
    ).getRowObjectsJson();
    connection.closeSync();
    const ours = schema.columns.map((column) => [column.name, describeType(asDuckDBReads(column.type))]);
    const duckdb = described.map((row) => {
      const type = parseDuckDBType(String(row.column_type));
      return [String(row.column_name), describeType(legacy.length > 0 ? utcTimestamps(type) : type)];
    });
    expect(ours).toEqual(duckdb);
    expect(String(schema.rows)).toBe(count?.n);
  });
});
