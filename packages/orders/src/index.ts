export { DIRTY_KINDS, type DirtyKind, dirtyKindsFor } from './dirty.js';
export { GenerateOptionsError, OrdersError } from './errors.js';
export {
  type GenerateHooks,
  type GenerateOptions,
  type GenerateSummary,
  generateOrders,
  generateOrdersFile,
  type InjectedRecord,
} from './generate.js';
export { formatCents } from './money.js';
export {
  CSV_COLUMNS,
  CSV_ORDER_COLUMNS,
  type CsvColumn,
  CUSTOMER_SEGMENTS,
  type CustomerRecord,
  type CustomerSegment,
  type LineItemRecord,
  ORDER_STATUSES,
  type OrderRecord,
  type OrderStatus,
  OUTPUT_FORMATS,
  type OutputFormat,
} from './record.js';
