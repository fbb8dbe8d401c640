// Local folders as buckets: an object's bytes are a file already on disk, so nothing is copied.
import { join } from 'node:path';
import type { ObjectRef } from '../events/types.js';
import { fileSource } from '../schema/parquet.js';
import type { ObjectStore } from './store.js';

/**
 * Objects whose bytes are local files: by default `bucket` is a folder and `key` the path below it
 * (the refs of `localObjects` and `localObject`). `pathOf` names another file for an object, such as
 * the watcher's snapshot of it.
 */
export function localStore(
  pathOf: (ref: ObjectRef) => string = (ref) => join(ref.bucket, ref.key),
): ObjectStore {
  return {
    open: (ref) => fileSource(pathOf(ref)),
    localFile: async (ref) => ({ path: pathOf(ref), release: async () => {} }),
  };
}
