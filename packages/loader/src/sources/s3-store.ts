// Objects in S3 as an ObjectStore: ranged GETs for the Parquet footer, a streamed download to a
// temporary file for warehouses that read local files (DuckDB, PostgreSQL).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { unquoteEtag } from '@lakeload/commons';
import type { ObjectRef } from '../events/types.js';
import type { ByteSource } from '../schema/parquet.js';
import { mapS3Error, ObjectChangedError, ObjectStoreUnavailableError, s3Uri } from './s3-client.js';
import type { ObjectStore } from './store.js';

/** Options for {@link s3Store}. */
export interface S3StoreOptions {
  /** Where temporary copies go. Default: the system's temp folder. */
  tempDir?: string;
}

/**
 * The request for exactly the object a reference names: its version when known, else If-Match on
 * its ETag, so that a replaced object fails clearly instead of loading other bytes. The response's
 * ETag is checked as well, for servers that ignore If-Match (s3rver does).
 */
function getFor(ref: ObjectRef, range?: string): GetObjectCommand {
  return new GetObjectCommand({
    Bucket: ref.bucket,
    Key: ref.key,
    ...(ref.versionId ? { VersionId: ref.versionId } : {}),
    ...(ref.etag ? { IfMatch: `"${ref.etag}"` } : {}),
    ...(range ? { Range: range } : {}),
  });
}

function checkEtag(ref: ObjectRef, response: GetObjectCommandOutput): void {
  const etag = response.ETag === undefined ? undefined : unquoteEtag(response.ETag);
  if (ref.etag && etag && etag !== ref.etag) {
    throw new ObjectChangedError(
      s3Uri(ref.bucket, ref.key),
      `the object was replaced: its ETag is now ${etag}, not ${ref.etag}`,
      'A newer upload replaced the object; its own event loads the new bytes, so nothing needs replaying.',
    );
  }
}

async function send(client: S3Client, ref: ObjectRef, command: GetObjectCommand) {
  try {
    const response = await client.send(command);
    checkEtag(ref, response);
    return response;
  } catch (error) {
    throw mapS3Error(error, ref.bucket, ref.key);
  }
}

/**
 * An {@link ObjectStore} over S3. Reads always name an explicit `bytes=start-end` range (the size is
 * known from the reference): suffix ranges (`bytes=-N`) are answered wrongly by some local servers
 * (s3rver returns the first N+1 bytes), and explicit ranges mean the same everywhere.
 */
export function s3Store(client: S3Client, options: S3StoreOptions = {}): ObjectStore {
  return {
    async open(ref: ObjectRef): Promise<ByteSource & { close(): Promise<void> }> {
      return {
        name: s3Uri(ref.bucket, ref.key),
        size: ref.size,
        async read(offset: number, length: number): Promise<Uint8Array> {
          const end = Math.min(offset + length, ref.size);
          if (offset < 0 || end <= offset) return new Uint8Array(0);
          const response = await send(client, ref, getFor(ref, `bytes=${offset}-${end - 1}`));
          if (!response.Body) return new Uint8Array(0);
          let bytes: Uint8Array;
          try {
            bytes = await response.Body.transformToByteArray();
          } catch (error) {
            throw mapS3Error(error, ref.bucket, ref.key);
          }
          if (bytes.length !== end - offset)
            throw new ObjectChangedError(
              s3Uri(ref.bucket, ref.key),
              `asked for bytes ${offset}-${end - 1}, got ${bytes.length} bytes: the object is smaller than its reference says`,
              'The object changed or the event is stale; its current version loads from its own event.',
            );
          return bytes;
        },
        // Connections belong to the client's pool: nothing to release per object.
        async close(): Promise<void> {},
      };
    },

    async localFile(ref: ObjectRef): Promise<{ path: string; release(): Promise<void> }> {
      const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'lakeload-s3-'));
      // A fixed name: keys may hold characters (`*`, `?`, `[`) that DuckDB would read as a glob.
      const path = join(dir, 'object.parquet');
      const release = () => rm(dir, { recursive: true, force: true });
      try {
        const response = await send(client, ref, getFor(ref));
        const body = response.Body;
        if (!body)
          throw new ObjectStoreUnavailableError(
            s3Uri(ref.bucket, ref.key),
            'S3 returned no body',
            'The load is retried.',
            {
              retryable: true,
            },
          );
        let written = 0;
        const count = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            written += chunk.length;
            done(null, chunk);
          },
        });
        try {
          await pipeline(body as NodeJS.ReadableStream, count, createWriteStream(path));
        } catch (error) {
          throw mapS3Error(error, ref.bucket, ref.key);
        }
        if (written !== ref.size) {
          throw new ObjectChangedError(
            s3Uri(ref.bucket, ref.key),
            `downloaded ${written} bytes where the reference says ${ref.size}`,
            'The object changed or the event is stale; its current version loads from its own event.',
          );
        }
        return { path, release };
      } catch (error) {
        await release();
        throw error;
      }
    },
  };
}
