import type { Capabilities } from '../dialect.js';

export const postgresCapabilities: Capabilities = {
  // LOCK TABLE in the load transaction serializes writers of a table across processes.
  writerLock: 'table-lock',
  // The in-process Parquet reader streams local files through COPY FROM STDIN, one after another.
  copiesFromObjectStore: false,
  maxBatchFiles: 100,
};
