import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import type { ObjectRef } from './types.js';

/**
 * A file under a local folder that stands in for a bucket. The ETag is a hash of the content, so a
 * file rewritten with new content is a new object and the same content is the same object.
 */
export async function localObject(root: string, key: string): Promise<ObjectRef> {
  const path = join(root, key);
  const info = await stat(path);
  const hash = createHash('sha256');
  // One buffer read into again and again: a stream's fresh chunk per read left tens of MB of garbage
  // (RSS the load's peak kept) for every large file hashed.
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return {
    bucket: resolve(root),
    key,
    size: info.size,
    etag: `sha256:${hash.digest('hex')}`,
    eventTime: info.mtime.toISOString(),
  };
}

/**
 * The object a dead letter's `file://` URI names, under the key its first load had: the bucket is
 * the folder before that key. Letters written before keys were kept (no `key`) fall back to the
 * file's own folder as the key's only folder.
 */
export async function localObjectAt(uri: string, key: string | undefined): Promise<ObjectRef> {
  if (!uri.startsWith('file://')) throw new LoaderError(`not a local file:// object: ${uri}`);
  // The loader writes file:// and the absolute path as it is (not percent-encoded).
  const path = uri.slice('file://'.length);
  if (key === undefined)
    return localObject(dirname(dirname(path)), join(basename(dirname(path)), basename(path)));
  if (!path.endsWith(`/${key}`))
    throw new LoaderError(`the dead letter's key "${key}" does not end its object ${uri}`);
  return localObject(path.slice(0, path.length - key.length - 1) || '/', key);
}
