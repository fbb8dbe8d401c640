export { postgresDialect, postgresWarehouse } from './postgres-dialect.js';
export type { PostgresDialectConfig } from './postgres-dialect-config.js';
export { PostgresSqlCompiler } from './postgres-sql-compiler.js';
