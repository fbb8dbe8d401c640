import type { Capabilities } from '../dialect.js';

export const postgresCapabilities: Capabilities = {
  // LOCK TABLE in the load transaction serializes writers of a table across processes.
  writerLock: 'table-lock',
};
