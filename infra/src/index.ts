export { type BuildAppOptions, buildApp } from './app.js';
export {
  type AlarmThresholds,
  ENVIRONMENTS,
  type EnvironmentConfig,
  type EnvironmentName,
  environments,
  InfraConfigError,
  LOAD_EVENT_TYPES,
  type LoadEventType,
  nameFor,
  tagsFor,
  validateConfig,
  visibilityTimeoutSeconds,
} from './config.js';
export { ACCESS_LOG_PREFIX, MANIFEST_PREFIX, REJECTS_PREFIX } from './constructs/data-bucket.js';
export {
  dashboardBody,
  emailFilterPolicy,
  LOADER_METRICS,
  METRICS_NAMESPACE,
  searchExpression,
} from './constructs/monitoring.js';
export { INTERFACE_ENDPOINT_SERVICES, INTERFACE_ENDPOINTS } from './constructs/network.js';
export {
  LAMBDA_PACKAGE_DIR,
  type LambdaBundle,
  LambdaBundleError,
  readLambdaPackage,
  requireBundle,
} from './lambda-package.js';
export { RESOURCE_STAR_EXCEPTIONS, type Statement, WILDCARD_ACTION_EXCEPTIONS } from './policy.js';
export { LakeloadStack, type LakeloadStackProps, type StateBackend, stackName } from './stack.js';
