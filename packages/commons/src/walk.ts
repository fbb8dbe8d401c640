// Folder walking, written once, with one order: at each level entries sort by UTF-16 code units,
// the same on every machine whatever its locale (localeCompare is not), so listings, uploads and
// loads see files in one order.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TerminalError } from '@lakeload/errors';

/** A symbolic link the walk cannot follow: to nothing, or back into a folder it is inside of. */
export class SymlinkError extends TerminalError {
  override name = 'SymlinkError';
  static override readonly tip: string =
    'Point the link at an existing file or folder outside its own tree, or remove it, then load again.';
}

export interface WalkOptions {
  /**
   * Follow symbolic links as what they point to (a folder linked in is part of the tree); a link to
   * nothing or into a folder it is inside of throws a SymlinkError. Default false: links are skipped.
   */
  followLinks?: boolean;
  /**
   * Whether to descend into a folder or keep a file. `path` is relative to the root with `/`
   * between names. Default: everything.
   */
  include?: (entry: { name: string; path: string; folder: boolean }) => boolean;
}

const byCodeUnits = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The files under `root`, as `/`-separated paths relative to it, depth first in code-unit order. */
export async function walkFiles(root: string, options: WalkOptions = {}): Promise<string[]> {
  const include = options.include ?? (() => true);
  const found: string[] = [];
  const walk = async (dir: string, prefix: string, inside: ReadonlySet<string>): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort(byCodeUnits);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const path = `${prefix}${entry.name}`;
      let folder = entry.isDirectory();
      let file = entry.isFile();
      if (entry.isSymbolicLink()) {
        if (!options.followLinks) continue;
        const target = await stat(full).catch(() => undefined);
        if (!target) throw new SymlinkError(`${full} is a symbolic link to nothing`);
        folder = target.isDirectory();
        file = target.isFile();
      }
      if (folder && include({ name: entry.name, path, folder: true })) {
        const real = await realpath(full);
        if (inside.has(real))
          throw new SymlinkError(`${full} links back to ${real}, a folder it is inside of`);
        await walk(full, `${path}/`, new Set([...inside, real]));
      } else if (file && include({ name: entry.name, path, folder: false })) found.push(path);
    }
  };
  await walk(root, '', new Set([await realpath(root)]));
  return found;
}
