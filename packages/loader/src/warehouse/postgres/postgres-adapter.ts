import type { Capabilities } from '../dialect.js';

export const postgresCapabilities: Capabilities = {
  // LOCK TABLE in the load transaction serializes writers of a table across processes.
  writerLock: 'table-lock',
  // The in-process Parquet reader streams a batch's local files through one COPY FROM STDIN.
  copiesFromObjectStore: false,
  maxBatchFiles: 100,
  // The reader ranks a keyed batch by its keys and version first and sends only the newest row
  // per key: PostgreSQL never writes, dedupes and deletes the losers.
  staging: 'kept-rows',
};
