export { EventShapeError, LoaderError, ParquetFormatError } from './errors.js';
export { decodeS3Key, parseEvent } from './events/parse.js';
export type { EventItem, ObjectRef } from './events/types.js';
export { type Route, RoutingError, type RoutingRule, route } from './routing/route.js';
export {
  type ByteSource,
  type Column,
  type ColumnType,
  fileSource,
  type ParquetSchema,
  readParquetSchema,
  type TimeUnit,
} from './schema/parquet.js';
