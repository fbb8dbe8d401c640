// What a backfill or a reconcile compares with the ledger: every object of a source (a local folder
// or, in s3-listing.ts, an S3 prefix), listed page by page, and the store that reads them.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import { localObjects } from '../events/local-tree.js';
import type { ObjectRef } from '../events/types.js';
import { localStore } from '../sources/local-store.js';
import type { ObjectStore } from '../sources/store.js';

/** A source of objects to compare with the ledger. */
export interface Listing {
  /** Every object of the source has an object URI starting with this (a folder: it ends with `/`). */
  uriPrefix: string;
  /** Every object present now, in listing order. */
  objects(signal?: AbortSignal): AsyncIterable<ObjectRef>;
  /** Reads the objects for loading. */
  store: ObjectStore;
  /**
   * The object as it is now, with what a listing cannot tell (an S3 version id), or undefined when
   * it is gone. Asked only for objects about to be reported or loaded as not loaded.
   */
  current?(ref: ObjectRef): Promise<ObjectRef | undefined>;
}

/**
 * A local folder as a source: its files are the objects (keys relative to the folder, a SHA-256
 * content hash as the ETag, as `lakeload load` names them), their URIs `file://<absolute path>`.
 */
export async function localListing(dir: string): Promise<Listing> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new LoaderError(`"${dir}" is not a folder; name the folder that holds the files (the bucket)`);
  const root = resolve(dir);
  return {
    uriPrefix: `file://${root.endsWith('/') ? root : `${root}/`}`,
    async *objects() {
      for (const file of await localObjects([root])) yield file.ref;
    },
    store: localStore(),
  };
}
