import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { walkFiles } from '@lakeload/commons';
import { localObject } from './local.js';
import type { ObjectRef } from './types.js';

export { SymlinkError } from '@lakeload/commons';

export interface LocalFile {
  ref: ObjectRef;
  path: string;
}

/**
 * Local files and folders as objects of a bucket. A folder is the bucket and its files' relative
 * paths are keys; a single file's bucket is its grandparent, so that the key keeps the folder that
 * names its table. Either way an object's URI is `file://` and its absolute path. Symbolic links
 * are followed; one that leads nowhere or into a loop fails the listing (SymlinkError), never
 * silently.
 */
export async function localObjects(paths: readonly string[]): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const key of await walkFiles(path, { followLinks: true }))
        files.push({ ref: await localObject(path, key), path: join(path, key) });
    } else {
      const root = dirname(dirname(path));
      files.push({ ref: await localObject(root, join(basename(dirname(path)), basename(path))), path });
    }
  }
  return files;
}
