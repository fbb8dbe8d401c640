import type { Capabilities } from '../dialect.js';

export const duckdbCapabilities: Capabilities = {
  // DuckDB rolls DDL back with its transaction, but the loader commits DDL on its own anyway.
  transactionalDdl: true,
  readsParquet: true,
  // One process owns a DuckDB file: writers of a table queue in process, and optimistic
  // transaction conflicts that still occur are retried.
  writerLock: 'in-process',
};
