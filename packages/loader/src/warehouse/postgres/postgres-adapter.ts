import type { Capabilities } from '../dialect.js';

export const postgresCapabilities: Capabilities = {
  // LOCK TABLE in the load transaction serializes writers of a table across processes.
  writerLock: 'table-lock',
  // The in-process Parquet reader streams a batch's local files through one COPY FROM STDIN.
  copiesFromObjectStore: false,
  maxBatchFiles: 100,
};
