// An S3 prefix as a source for backfill and reconcile (exported from `@lakeload/loader/s3` only, so
// that programs without S3 never load the AWS SDK).
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectNotFoundError } from '../sources/s3-client.js';
import { headS3Object, listS3Objects, parseS3Uri } from '../sources/s3-list.js';
import { s3Store } from '../sources/s3-store.js';
import type { Listing } from './listing.js';

/**
 * `s3://bucket/prefix` as a source: every object under the folder `prefix/` (a slash is added when
 * missing, so `landing` never takes in `landing-old/`), listed with ListObjectsV2 page by page.
 * `current` asks HeadObject, whose version id (on versioned buckets) is the identity events carry.
 */
export function s3Listing(client: S3Client, uri: string, options: { pageSize?: number } = {}): Listing {
  const { bucket, key } = parseS3Uri(uri);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  return {
    uriPrefix: `s3://${bucket}/${prefix}`,
    objects: (signal) =>
      listS3Objects(client, bucket, prefix, {
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        ...(signal ? { signal } : {}),
      }),
    store: s3Store(client),
    current: async (ref) => {
      try {
        const head = await headS3Object(client, ref.bucket, ref.key);
        return { ...head, eventTime: ref.eventTime };
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return undefined;
        throw error;
      }
    },
  };
}
