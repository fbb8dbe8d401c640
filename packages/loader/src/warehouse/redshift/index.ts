export { type RedshiftLimits, redshiftCapabilities } from './redshift-adapter.js';
export { redshiftDialect, redshiftWarehouse } from './redshift-dialect.js';
export type { CommandSender, RedshiftDialectConfig, RedshiftTarget } from './redshift-dialect-config.js';
export {
  classifyRedshiftError,
  mapAwsError,
  RedshiftDeadlineError,
  RedshiftDriver,
  RedshiftStatementError,
} from './redshift-driver.js';
export {
  type BatchFile,
  type BatchInput,
  type BatchPlan,
  RedshiftSqlCompiler,
} from './redshift-sql-compiler.js';
