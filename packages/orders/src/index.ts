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
  CUSTOMER_SEGMENTS,
  type CsvColumn,
  type CustomerRecord,
  type CustomerSegment,
  type LineItemRecord,
  ORDER_STATUSES,
  OUTPUT_FORMATS,
  type OrderRecord,
  type OrderStatus,
  type OutputFormat,
} from './record.js';
