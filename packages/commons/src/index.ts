export { Limiter, mapLimit } from './concurrency.js';
export { unquoteEtag } from './etag.js';
export { type RetryOptions, retry } from './retry.js';
export { SymlinkError, type WalkOptions, walkFiles } from './walk.js';
