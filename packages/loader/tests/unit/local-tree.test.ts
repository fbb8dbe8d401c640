// Symbolic links in a local lake: followed as what they point to, or refused with the link named —
// never passed over without a word.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localObjects, SymlinkError } from '../../src/events/local-tree.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-tree-'));
  await mkdir(join(root, 'elsewhere', 'orders'), { recursive: true });
  await writeFile(join(root, 'elsewhere', 'orders', 'a.parquet'), 'a');
  await writeFile(join(root, 'elsewhere', 'b.parquet'), 'b');
  await mkdir(join(root, 'lake', 'items'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('localObjects and symbolic links', () => {
  it('follows a linked folder and a linked file, keyed by where the links are', async () => {
    await symlink(join(root, 'elsewhere', 'orders'), join(root, 'lake', 'orders'));
    await symlink(join(root, 'elsewhere', 'b.parquet'), join(root, 'lake', 'items', 'b.parquet'));
    const files = await localObjects([join(root, 'lake')]);
    expect(files.map((file) => file.ref.key)).toEqual(['items/b.parquet', 'orders/a.parquet']);
    expect(files.map((file) => file.ref.size)).toEqual([1, 1]);
  });

  it('refuses a link to nothing, naming it', async () => {
    await symlink(join(root, 'gone'), join(root, 'lake', 'items', 'gone.parquet'));
    await expect(localObjects([join(root, 'lake')])).rejects.toThrow(SymlinkError);
    await expect(localObjects([join(root, 'lake')])).rejects.toThrow(
      /items\/gone\.parquet is a symbolic link to nothing/,
    );
  });

  it('refuses a link back into its own tree instead of walking forever', async () => {
    await symlink(join(root, 'lake'), join(root, 'lake', 'items', 'loop'));
    await expect(localObjects([join(root, 'lake')])).rejects.toThrow(/links back to/);
  });
});
