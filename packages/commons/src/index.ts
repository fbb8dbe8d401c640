export { Limiter, mapLimit } from './concurrency.js';
export { csvField } from './csv.js';
export { unquoteEtag } from './etag.js';
export { type RetryOptions, retry } from './retry.js';
export { quoteIdentifier, quoteLiteral, SqlQuotingError } from './sql.js';
export { SymlinkError, type WalkOptions, walkFiles } from './walk.js';
