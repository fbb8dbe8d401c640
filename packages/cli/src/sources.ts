// Command-line inputs that name S3 objects (s3://bucket/key, s3://bucket/prefix/), read through the
// S3 store. The AWS SDK is loaded only when such an input is given.
import { LoaderError, type ObjectRef, type ObjectStore } from '@lakeload/loader';
import { UsageError } from './errors.js';

export function isS3Uri(input: string): boolean {
  return input.startsWith('s3://');
}

/**
 * The objects S3 URIs name (an object, or every object under a prefix) and one store reading them
 * with one client: default credential chain, `AWS_ENDPOINT_URL_S3` honoured. A malformed URI is a
 * usage error; a missing bucket, key or prefix fails with the S3 error and its tip.
 */
export async function s3Source(
  uris: readonly string[],
  signal?: AbortSignal,
): Promise<{ refs: ObjectRef[]; store: ObjectStore }> {
  const s3 = await import('@lakeload/loader/s3');
  for (const uri of uris) {
    try {
      s3.parseS3Uri(uri);
    } catch (error) {
      if (error instanceof LoaderError) throw new UsageError(error.message);
      throw error;
    }
  }
  const client = s3.createS3Client();
  const refs = new Map<string, ObjectRef>();
  for (const uri of uris) {
    for (const ref of await s3.resolveS3Uri(client, uri, signal ? { signal } : {}))
      refs.set(`${ref.bucket}/${ref.key}`, ref);
  }
  return { refs: [...refs.values()], store: s3.s3Store(client) };
}

/**
 * The exact objects S3 URIs name, each as it is now (HeadObject), and one store reading them; the
 * URIs of objects that no longer exist come back apart instead of failing the others.
 */
export async function s3Objects(
  uris: readonly string[],
): Promise<{ refs: ObjectRef[]; store: ObjectStore; absent: string[] }> {
  const s3 = await import('@lakeload/loader/s3');
  const client = s3.createS3Client();
  const refs: ObjectRef[] = [];
  const absent: string[] = [];
  for (const uri of uris) {
    const { bucket, key } = s3.parseS3Uri(uri);
    try {
      refs.push(await s3.headS3Object(client, bucket, key));
    } catch (error) {
      if (!(error instanceof s3.ObjectNotFoundError)) throw error;
      absent.push(uri);
    }
  }
  return { refs, store: s3.s3Store(client), absent };
}
