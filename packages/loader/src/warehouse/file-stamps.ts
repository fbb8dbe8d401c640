// A driver that reads a batch's local files twice (ranked first, then sent) must know they did not
// change in between: their stamps, taken before the first read, are checked after the last.
import { stat } from 'node:fs/promises';
import { LoaderError } from '../errors.js';

/** What identifies a local file's content without reading it: device, inode, size, times in ns. */
async function stampOf(path: string): Promise<string> {
  const stats = await stat(path, { bigint: true });
  return [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
}

export type FileStamps = ReadonlyMap<string, string>;

export async function stampFiles(paths: readonly string[]): Promise<FileStamps> {
  return new Map(await Promise.all(paths.map(async (path) => [path, await stampOf(path)] as const)));
}

/** Refuses the batch when a file was replaced or written to since it was stamped. */
export async function checkUnchanged(stamps: FileStamps): Promise<void> {
  for (const [path, stamp] of stamps) {
    const now = await stampOf(path).catch(() => 'gone');
    if (now !== stamp) {
      throw new LoaderError(
        `${path}: a file changed while loading (it was replaced or written to between two reads); load it again`,
      );
    }
  }
}
