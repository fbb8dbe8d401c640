export { type RedshiftLimits, redshiftCapabilities } from './redshift-adapter.js';
export { redshiftDialect, redshiftWarehouse } from './redshift-dialect.js';
export type { CommandSender, RedshiftDialectConfig, RedshiftTarget } from './redshift-dialect-config.js';
export { type BatchPlan, planRedshiftBatch, RedshiftDriver } from './redshift-driver.js';
export {
  classifyRedshiftError,
  mapAwsError,
  RedshiftDeadlineError,
  RedshiftStatementError,
} from './redshift-errors.js';
export { type BatchFile, type BatchInput, RedshiftSqlCompiler } from './redshift-sql-compiler.js';
