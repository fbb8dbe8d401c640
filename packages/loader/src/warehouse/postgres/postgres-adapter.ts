import type { Capabilities } from '../dialect.js';

export const postgresCapabilities: Capabilities = {
  transactionalDdl: true,
  // Rows reach PostgreSQL through COPY … FROM STDIN, read from the Parquet file here.
  readsParquet: false,
  // LOCK TABLE in the load transaction serializes writers of a table across processes.
  writerLock: 'table-lock',
};
