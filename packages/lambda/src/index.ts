export {
  type AwsConnectOptions,
  awsConnect,
  type OpenDriver,
  onceAcrossRedeliveries,
  openRedshift,
  redshiftConfigFor,
} from './aws.js';
export {
  DEFAULT_SAFETY_MARGIN_MS,
  type Environment,
  type LambdaConfig,
  LambdaConfigError,
  readLambdaConfig,
} from './env.js';
export {
  type Connect,
  createHandler,
  type HandlerOptions,
  type HandlerResult,
  type Invocation,
  type LakeloadHandler,
  type LoadPort,
  type LoadRoundOptions,
  RetryInvocationError,
} from './handler.js';
export { InvocationMetrics, NO_TABLE } from './metrics.js';
