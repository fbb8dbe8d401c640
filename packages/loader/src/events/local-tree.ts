import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { localObject } from './local.js';
import type { ObjectRef } from './types.js';

export interface LocalFile {
  ref: ObjectRef;
  path: string;
}

async function walk(dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, found);
    else if (entry.isFile()) found.push(path);
  }
}

/**
 * Local files and folders as objects of a bucket. A folder is the bucket and its files' relative
 * paths are keys; a single file's bucket is its grandparent, so that the key keeps the folder that
 * names its table. Either way an object's URI is `file://` and its absolute path.
 */
export async function localObjects(paths: readonly string[]): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      const found: string[] = [];
      await walk(path, found);
      for (const file of found)
        files.push({ ref: await localObject(path, relative(path, file)), path: file });
    } else {
      const root = dirname(dirname(path));
      files.push({ ref: await localObject(root, join(basename(dirname(path)), basename(path))), path });
    }
  }
  return files;
}
