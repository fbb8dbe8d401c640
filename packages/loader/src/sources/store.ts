// Where objects' bytes come from: a local folder standing in for a bucket, or S3 itself.
import type { ObjectRef } from '../events/types.js';
import type { ByteSource } from '../schema/parquet.js';

/** Reads the objects an event names; one implementation per kind of bucket. */
export interface ObjectStore {
  /** Ranged reads of the object (for the Parquet footer). */
  open(ref: ObjectRef): Promise<ByteSource & { close(): Promise<void> }>;
  /** A local file holding the object's bytes; release() removes any temporary copy. */
  localFile(ref: ObjectRef): Promise<{ path: string; release(): Promise<void> }>;
}
