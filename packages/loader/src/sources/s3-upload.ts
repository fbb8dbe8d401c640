// A converted lake folder → S3, keeping its layout. Objects already there with the same bytes are
// skipped, so a run after an interruption uploads only what is missing.
// The multipart upload is written here, not with @aws-sdk/lib-storage (no longer a dependency):
// the skip check predicts a file's multipart ETag from the MD5 of each part, and every part is sent
// with that MD5 as its Content-MD5; lib-storage's Upload would still need those hashes computed here.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Limiter, mapLimit, unquoteEtag, walkFiles } from '@lakeload/commons';
import { LoaderError } from '../errors.js';
import { mapS3Error, ObjectNotFoundError, ObjectStoreError, s3Uri } from './s3-client.js';
import type { S3Location } from './s3-list.js';

/** S3's limits for multipart uploads. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
const MAX_PARTS = 10_000;
/** User metadata holding the SHA-256 of the uploaded bytes (S3 returns it as `x-amz-meta-lakeload-sha256`). */
export const SHA256_METADATA = 'lakeload-sha256';

/** Options for {@link uploadDirectory}. */
export interface UploadOptions {
  /**
   * Bytes per part; files larger than this go up as multipart uploads. Default 8 MiB; 5 MiB to
   * 5 GiB. Memory in use is about `concurrency × partSize` (each request's body is held so that the
   * SDK can retry it).
   */
  partSize?: number;
  /** Requests carrying data at once (whole small files or parts). Default 4. */
  concurrency?: number;
  /** Upload the converter's `_rejects/` files as well. Default false. */
  includeRejects?: boolean;
  /** Encrypt with this KMS key (`aws:kms`); default: the bucket's default encryption. */
  sseKmsKeyId?: string;
  /** Stops the upload: requests in flight are cancelled and multipart uploads aborted. */
  signal?: AbortSignal;
  /** Called as files and bytes complete. */
  onProgress?: (progress: UploadProgress) => void;
}

export interface UploadProgress {
  files: number;
  filesDone: number;
  bytes: number;
  bytesDone: number;
}

export interface UploadedFile {
  /** Relative to the uploaded folder, with `/` separators. */
  path: string;
  key: string;
  size: number;
  status: 'uploaded' | 'skipped' | 'failed';
  /** Parts of a multipart upload; 1 for a single PUT. */
  parts?: number;
  error?: string;
  tip?: string;
}

export interface UploadSummary {
  bucket: string;
  prefix: string;
  files: UploadedFile[];
  uploaded: number;
  skipped: number;
  failed: number;
  bytesUploaded: number;
  /** Things that did not fail the upload but need attention (a multipart upload S3 did not abort). */
  warnings: string[];
}

/** Checksums of a local file, as S3 would describe the same bytes. */
export interface LocalHashes {
  md5: string;
  sha256: string;
  /** The ETag S3 gives a multipart upload of this part size: MD5 of the parts' MD5s, `-` part count. */
  multipartEtag?: string;
}

/** Files to upload under `dir`, in path order: `.parquet` outside `_rejects/`, `_rejects/` files on request. */
export async function uploadCandidates(dir: string, includeRejects = false): Promise<string[]> {
  return walkFiles(dir, {
    include: ({ name, path, folder }) => {
      // Hidden entries and _temporary/ are scratch space, never data.
      if (name.startsWith('.') || name === '_temporary') return false;
      if (folder) return name !== '_rejects' || includeRejects;
      return path.split('/').includes('_rejects') || name.toLowerCase().endsWith('.parquet');
    },
  });
}

/**
 * MD5 and SHA-256 of a file in one read, plus the ETag a multipart upload of it at `partSize` gets
 * (when it is larger than one part).
 */
export async function localChecksums(path: string, size: number, partSize: number): Promise<LocalHashes> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const multipart = size > partSize;
  const partDigests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha256.update(chunk);
    if (!multipart) continue;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - inPart, chunk.length - offset);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === partSize) {
        partDigests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (multipart && inPart > 0) partDigests.push(part.digest());
  return {
    md5: md5.digest('hex'),
    sha256: sha256.digest('hex'),
    ...(multipart
      ? {
          multipartEtag: `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`,
        }
      : {}),
  };
}

async function readRange(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0)
      throw new LoaderError(`the file ended at ${position + filled} bytes while uploading it`);
    filled += bytesRead;
  }
  return buffer;
}

function abortError(): Error {
  return Object.assign(new Error('The upload was interrupted.'), { name: 'AbortError' });
}

/** The upload was stopped through its signal; `summary` tells what was done before it stopped. */
export class UploadInterruptedError extends LoaderError {
  override name = 'UploadInterruptedError';
  readonly summary: UploadSummary;

  constructor(summary: UploadSummary) {
    super(
      `the upload was interrupted after ${summary.uploaded} uploaded and ${summary.skipped} already present; run it again to upload the rest`,
      { retryable: true },
    );
    this.summary = summary;
  }
}

/**
 * Uploads the files of a converted lake folder to `s3://bucket/prefix/`, keeping their paths
 * (`year=/month=/day=/<dataset>/…`) below the prefix.
 *
 * An object already present with the same size and the same bytes is skipped. "The same bytes" is
 * decided from what S3 stores: the `lakeload-sha256` metadata this function writes with every
 * upload (it survives SSE-KMS, whose ETags are not MD5s, and any part size), else the ETag compared
 * with the local MD5 (single PUT) or multipart MD5 at this part size (objects uploaded by other tools).
 * Each request carries Content-MD5, so S3 rejects bytes damaged on the way.
 *
 * Failures of one file are reported in its entry and the rest go on. When `signal` aborts, requests
 * in flight are cancelled, started multipart uploads are aborted (awaited), and
 * {@link UploadInterruptedError} is thrown with what was done; objects appear in S3 only complete,
 * so a rerun finds exactly the missing ones.
 */
export async function uploadDirectory(
  client: S3Client,
  dir: string,
  destination: S3Location,
  options: UploadOptions = {},
): Promise<UploadSummary> {
  const partSize = options.partSize ?? 8 * 1024 * 1024;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE)
    throw new LoaderError(
      `the part size must be a whole number of bytes from 5 MiB to 5 GiB, got ${partSize}`,
    );
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new LoaderError(`the concurrency must be a whole number of at least 1, got ${concurrency}`);
  const { bucket } = destination;
  const prefix =
    destination.key === '' || destination.key.endsWith('/') ? destination.key : `${destination.key}/`;
  const signal = options.signal;
  const requests = new Limiter(concurrency);
  const paths = await uploadCandidates(dir, options.includeRejects);
  const sizes = await Promise.all(paths.map(async (path) => (await stat(join(dir, path))).size));
  const progress: UploadProgress = {
    files: paths.length,
    filesDone: 0,
    bytes: sizes.reduce((a, b) => a + b, 0),
    bytesDone: 0,
  };
  const warnings: string[] = [];
  const report = (bytes: number, file: boolean) => {
    progress.bytesDone += bytes;
    if (file) progress.filesDone++;
    options.onProgress?.({ ...progress });
  };
  const sse = options.sseKmsKeyId
    ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.sseKmsKeyId }
    : {};

  const call = async <T>(key: string | undefined, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      if (signal?.aborted) throw abortError();
      throw mapS3Error(error, bucket, key);
    }
  };
  const cancelledBy = (cancel: AbortSignal | undefined) => (cancel ? { abortSignal: cancel } : {});

  const alreadyThere = async (key: string, size: number, hashes: LocalHashes): Promise<boolean> => {
    try {
      const head = await call(key, () =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), cancelledBy(signal)),
      );
      if (head.ContentLength !== size) return false;
      if (head.Metadata?.[SHA256_METADATA] === hashes.sha256) return true;
      const etag = head.ETag === undefined ? undefined : unquoteEtag(head.ETag);
      return etag === hashes.md5 || (hashes.multipartEtag !== undefined && etag === hashes.multipartEtag);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return false;
      throw error;
    }
  };

  const uploadMultipart = async (
    file: FileHandle,
    key: string,
    size: number,
    metadata: Record<string, string>,
  ) => {
    const created = await call(key, () =>
      client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata, ...sse }),
        cancelledBy(signal),
      ),
    );
    const uploadId = created.UploadId;
    if (!uploadId)
      throw new ObjectStoreError(s3Uri(bucket, key), 'S3 returned no upload id', 'Retry the upload.');
    // One failed part cancels its siblings; an interruption cancels them all.
    const failed = new AbortController();
    const cancel = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
    const count = Math.ceil(size / partSize);
    try {
      const parts = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          requests
            .run(async () => {
              if (cancel.aborted) throw signal?.aborted ? abortError() : new Error('cancelled');
              const start = index * partSize;
              const body = await readRange(file, start, Math.min(partSize, size - start));
              const result = await call(key, () =>
                client.send(
                  new UploadPartCommand({
                    Bucket: bucket,
                    Key: key,
                    UploadId: uploadId,
                    PartNumber: index + 1,
                    Body: body,
                    ContentLength: body.length,
                    ContentMD5: createHash('md5').update(body).digest('base64'),
                  }),
                  cancelledBy(cancel),
                ),
              );
              report(body.length, false);
              return { PartNumber: index + 1, ETag: result.ETag };
            })
            .catch((error: unknown) => {
              failed.abort();
              throw error;
            }),
        ),
      );
      await call(key, () =>
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
      return count;
    } catch (error) {
      // Not cancellable: it must reach S3 even when the user interrupted, or the parts stay billed.
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch((abortFailure: unknown) => {
          warnings.push(
            `could not abort the multipart upload ${uploadId} of ${s3Uri(bucket, key)} (${
              abortFailure instanceof Error ? abortFailure.message : String(abortFailure)
            }); a lifecycle rule with AbortIncompleteMultipartUpload removes such parts`,
          );
        });
      throw error;
    }
  };

  const uploadOne = async (path: string, size: number): Promise<UploadedFile> => {
    const key = `${prefix}${path}`;
    const entry: UploadedFile = { path, key, size, status: 'uploaded' };
    try {
      if (signal?.aborted) throw abortError();
      const hashes = await localChecksums(join(dir, path), size, partSize);
      if (await alreadyThere(key, size, hashes)) {
        report(size, true);
        return { ...entry, status: 'skipped' };
      }
      const metadata = { [SHA256_METADATA]: hashes.sha256 };
      const file = await open(join(dir, path));
      try {
        if (size > partSize) {
          const parts = Math.ceil(size / partSize);
          if (parts > MAX_PARTS)
            throw new LoaderError(
              `${path} needs ${parts} parts of ${partSize} bytes; S3 allows ${MAX_PARTS}: use a part size of at least ${Math.ceil(size / MAX_PARTS)} bytes`,
            );
          entry.parts = await uploadMultipart(file, key, size, metadata);
          report(0, true);
        } else {
          await requests.run(async () => {
            const body = await readRange(file, 0, size);
            await call(key, () =>
              client.send(
                new PutObjectCommand({
                  Bucket: bucket,
                  Key: key,
                  Body: body,
                  ContentLength: size,
                  ContentMD5: Buffer.from(hashes.md5, 'hex').toString('base64'),
                  Metadata: metadata,
                  ...sse,
                }),
                cancelledBy(signal),
              ),
            );
          });
          entry.parts = 1;
          report(size, true);
        }
      } finally {
        await file.close();
      }
      return entry;
    } catch (error) {
      if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) throw abortError();
      const failure = error instanceof Error ? error : new Error(String(error));
      report(0, true);
      return {
        ...entry,
        status: 'failed',
        error: failure.message,
        tip:
          failure instanceof ObjectStoreError
            ? failure.tip
            : 'Fix the file or the permissions, then run the upload again.',
      };
    }
  };

  // One check up front: without it a missing bucket fails every file alike.
  await call(undefined, () => client.send(new HeadBucketCommand({ Bucket: bucket }), cancelledBy(signal)));

  // Files are hashed and checked `concurrency` at a time; their data requests share the limiter.
  const files: (UploadedFile | undefined)[] = paths.map(() => undefined);
  const errors: unknown[] = [];
  await mapLimit(
    paths,
    concurrency,
    async (path, index) => {
      files[index] = await uploadOne(path, sizes[index] as number).catch((error: unknown) => {
        errors.push(error);
        return undefined;
      });
    },
    signal,
  );
  const summary = (done: readonly (UploadedFile | undefined)[]): UploadSummary => {
    const listed = done.filter((file): file is UploadedFile => file !== undefined);
    const count = (status: UploadedFile['status']) => listed.filter((file) => file.status === status).length;
    return {
      bucket,
      prefix,
      files: listed,
      uploaded: count('uploaded'),
      skipped: count('skipped'),
      failed: count('failed'),
      bytesUploaded: listed
        .filter((file) => file.status === 'uploaded')
        .reduce((sum, file) => sum + file.size, 0),
      warnings,
    };
  };
  if (signal?.aborted) throw new UploadInterruptedError(summary(files));
  if (errors.length > 0) throw errors[0];
  return summary(files);
}
