import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { LoaderError } from '../errors.js';
import { localObject } from './local.js';
import type { ObjectRef } from './types.js';

export interface LocalFile {
  ref: ObjectRef;
  path: string;
}

/** A symbolic link the walk cannot follow: to nothing, or back into a folder it is inside of. */
export class SymlinkError extends LoaderError {
  override name = 'SymlinkError';
  static override readonly tip: string =
    'Point the link at an existing file or folder outside its own tree, or remove it, then load again.';
}

/**
 * Files under `dir`, symbolic links followed as what they point to (a folder linked into the lake
 * is part of it). `inside`: the real paths of the folders being walked, to refuse a loop.
 */
async function walk(dir: string, found: string[], inside: ReadonlySet<string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      if (!target) throw new SymlinkError(`${path} is a symbolic link to nothing`);
      if (target.isDirectory()) {
        const real = await realpath(path);
        if (inside.has(real))
          throw new SymlinkError(`${path} links back to ${real}, a folder it is inside of`);
        await walk(path, found, new Set([...inside, real]));
      } else if (target.isFile()) found.push(path);
    } else if (entry.isDirectory()) await walk(path, found, new Set([...inside, await realpath(path)]));
    else if (entry.isFile()) found.push(path);
  }
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
      const found: string[] = [];
      await walk(path, found, new Set([await realpath(path)]));
      for (const file of found)
        files.push({ ref: await localObject(path, relative(path, file)), path: file });
    } else {
      const root = dirname(dirname(path));
      files.push({ ref: await localObject(root, join(basename(dirname(path)), basename(path))), path });
    }
  }
  return files;
}
