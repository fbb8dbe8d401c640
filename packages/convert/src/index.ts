export {
  type ConvertOptions,
  type ConvertProgress,
  type ConvertSummary,
  convert,
  type DatasetResult,
  type InputResult,
} from './convert.js';
export { ConvertError, ConvertOptionsError, InputError } from './errors.js';
export { discoverInputs, formatOf } from './inputs/discover.js';
export type { InputFile, InputFormat, SourceRecord } from './inputs/records.js';
export {
  type ColumnSpec,
  DATASET_NAMES,
  DATASETS,
  type DatasetName,
  type DatasetSpec,
} from './output/datasets.js';
export type { RejectEntry } from './output/rejects.js';
export type { Compression } from './output/sql.js';
export {
  type NormalizedItem,
  type NormalizedOrder,
  type Validation,
  validateOrder,
} from './validate/order.js';
