export { duckdbDialect, duckdbWarehouse } from './duckdb-dialect.js';
export type { DuckDBDialectConfig } from './duckdb-dialect-config.js';
export { DuckDBSqlCompiler } from './duckdb-sql-compiler.js';
