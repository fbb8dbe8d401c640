import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ObjectRef } from './types.js';

/**
 * A file under a local folder that stands in for a bucket. The ETag is a hash of the content, so a
 * file rewritten with new content is a new object and the same content is the same object.
 */
export async function localObject(root: string, key: string): Promise<ObjectRef> {
  const path = join(root, key);
  const info = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return {
    bucket: resolve(root),
    key,
    size: info.size,
    etag: `sha256:${hash.digest('hex')}`,
    eventTime: info.mtime.toISOString(),
  };
}
