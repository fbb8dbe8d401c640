export { RehearsalError, UnsupportedSqlError } from './errors.js';
export { loadLambdaHandler, unzip } from './lambda-bundle.js';
export { CopyError } from './redshift-data/copy.js';
export {
  DATA_API_LIMITS,
  type RedshiftDataEndpoint,
  type RedshiftDataEndpointOptions,
  startRedshiftDataEndpoint,
} from './redshift-data/endpoint.js';
export { httpS3Objects, type S3ObjectInfo, type S3Objects } from './redshift-data/s3-objects.js';
export type {
  InjectedFailure,
  InjectedLatency,
  StatementRecord,
  StatementStatus,
  StatementTarget,
  TopStatement,
} from './redshift-data/statements.js';
export { type CopyCommand, type TranslatedStatement, translateStatement } from './redshift-data/translate.js';
export {
  DEFAULT_REHEARSAL_POSTGRES,
  type RehearsalReport,
  type RehearseOptions,
  rehearse,
} from './rehearse.js';
export {
  encodeEventKey,
  type ObjectEvent,
  type S3EventRecord,
  type S3Notification,
  Sequencer,
  s3Notification,
  s3TestEvent,
} from './s3/events.js';
export {
  decodeAwsChunked,
  LOCAL_S3_CREDENTIALS,
  type LocalS3,
  type LocalS3Options,
  type NotificationFilter,
  startLocalS3,
} from './s3/local-s3.js';
export {
  type BatchResponse,
  type DrainReport,
  type Invocation,
  type LambdaContext,
  LocalQueue,
  type LocalQueueOptions,
  type QueueMessage,
  type SqsEvent,
  type SqsHandler,
  type SqsRecord,
} from './s3/queue.js';
export {
  type LocalSns,
  type LocalSnsOptions,
  type MessageAttribute,
  type PublishedMessage,
  startLocalSns,
} from './sns/local-sns.js';
