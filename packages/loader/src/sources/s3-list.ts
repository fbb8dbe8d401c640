// s3:// URIs → object references: one object by HeadObject, a prefix by a paginated listing.
import {
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { unquoteEtag } from '@lakeload/commons';
import { LoaderError } from '../errors.js';
import type { ObjectRef } from '../events/types.js';
import { mapS3Error, ObjectNotFoundError, ObjectStoreError, s3Uri } from './s3-client.js';

/** A bucket and a key or key prefix. */
export interface S3Location {
  bucket: string;
  /** The key or prefix exactly as written after the bucket (not URL-decoded: S3 keys are literal). */
  key: string;
}

/**
 * Parses `s3://bucket/key-or-prefix`. The part after the bucket is taken literally: `s3://b/a b=1/x`
 * names the key `a b=1/x`.
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri);
  if (!match?.[1])
    throw new LoaderError(`"${uri}" is not an S3 URI; write s3://bucket/key or s3://bucket/prefix/`);
  return { bucket: match[1], key: match[2] ?? '' };
}

const TIP_EMPTY = 'Check the prefix (keys are case-sensitive); end it with / to name a folder.';

/** Options for {@link listS3Objects}. */
export interface ListOptions {
  /** Keys per ListObjectsV2 page (1–1000). Default 1000, the most S3 returns. */
  pageSize?: number;
  signal?: AbortSignal;
}

/**
 * Every object under a prefix, in key order, page by page (ListObjectsV2 with continuation tokens),
 * as references: size, ETag without quotes, `eventTime` from LastModified.
 */
export async function* listS3Objects(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: ListOptions = {},
): AsyncGenerator<ObjectRef> {
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(options.pageSize ? { MaxKeys: options.pageSize } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
    } catch (error) {
      throw mapS3Error(error, bucket, prefix);
    }
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      yield {
        bucket,
        key: object.Key,
        size: object.Size ?? 0,
        etag: unquoteEtag(object.ETag ?? ''),
        eventTime: (object.LastModified ?? new Date(0)).toISOString(),
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && !token)
      throw new ObjectStoreError(
        s3Uri(bucket, prefix),
        'the listing was truncated without a continuation token',
        'The S3 endpoint does not paginate ListObjectsV2 correctly; use another endpoint.',
      );
  } while (token);
}

/** One object's reference from HeadObject (its current version and ETag). */
export async function headS3Object(client: S3Client, bucket: string, key: string): Promise<ObjectRef> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      bucket,
      key,
      size: head.ContentLength ?? 0,
      etag: unquoteEtag(head.ETag ?? ''),
      ...(head.VersionId && head.VersionId !== 'null' ? { versionId: head.VersionId } : {}),
      eventTime: (head.LastModified ?? new Date()).toISOString(),
    };
  } catch (error) {
    throw mapS3Error(error, bucket, key);
  }
}

/**
 * The objects an `s3://` URI names: `s3://bucket/` or `s3://bucket/prefix/` lists the prefix;
 * `s3://bucket/key` is that object, or, when no such object exists, the folder `key/`. Nothing found
 * raises {@link ObjectNotFoundError}.
 */
export async function resolveS3Uri(
  client: S3Client,
  uri: string,
  options: ListOptions = {},
): Promise<ObjectRef[]> {
  const { bucket, key } = parseS3Uri(uri);
  const list = async (prefix: string) => {
    const refs: ObjectRef[] = [];
    for await (const ref of listS3Objects(client, bucket, prefix, options)) refs.push(ref);
    return refs;
  };
  if (key === '' || key.endsWith('/')) {
    const refs = await list(key);
    if (refs.length === 0) throw new ObjectNotFoundError(uri, 'no objects under this prefix', TIP_EMPTY);
    return refs;
  }
  try {
    return [await headS3Object(client, bucket, key)];
  } catch (error) {
    // HEAD answers a missing bucket and a missing key alike (404, no body); the listing tells them apart.
    if (!(error instanceof ObjectNotFoundError)) throw error;
    const refs = await list(`${key}/`);
    if (refs.length === 0) throw error;
    return refs;
  }
}
