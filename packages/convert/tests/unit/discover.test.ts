// Input discovery walks folders with the one walk of @lakeload/commons: the same order on every
// machine, the pipeline's own folders, hidden names and symbolic links left out.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverInputs } from '../../src/inputs/discover.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lakeload-discover-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('discoverInputs', () => {
  it('lists a folder in code-unit order, whatever the locale, leaving out what is not an input', async () => {
    const dir = join(root, 'exports');
    for (const folder of ['b', 'B', 'a', '_rejects', '_temporary', '.cache', 'node_modules'])
      await mkdir(join(dir, folder), { recursive: true });
    for (const file of [
      'b/z.jsonl',
      'B/y.csv',
      'a/x.json',
      'a/notes.txt',
      'Z.csv.gz',
      '_rejects/r.jsonl',
      '_temporary/t.jsonl',
      '.cache/c.jsonl',
      'node_modules/n.jsonl',
      '.hidden.jsonl',
    ])
      await writeFile(join(dir, file), '');
    await mkdir(join(root, 'elsewhere'));
    await writeFile(join(root, 'elsewhere', 'linked.jsonl'), '');
    await symlink(join(root, 'elsewhere'), join(dir, 'linked'));
    await symlink(join(root, 'elsewhere', 'linked.jsonl'), join(dir, 'a', 'link.jsonl'));

    const inputs = await discoverInputs([dir]);
    // UTF-16 code units: uppercase before lowercase; localeCompare would put 'a' and 'b' before 'B'.
    expect(inputs.map((input) => relative(dir, input.path))).toEqual([
      'B/y.csv',
      'Z.csv.gz',
      'a/x.json',
      'b/z.jsonl',
    ]);
    expect(inputs.map((input) => [input.format, input.gzip])).toEqual([
      ['csv', false],
      ['csv', true],
      ['json', false],
      ['jsonl', false],
    ]);
  });
});
