// The shared corpus of Parquet files written by other engines (apache/parquet-testing), found from
// the repository root; a test that needs it fails, never skips, when it is missing.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// packages/testkit/src (or dist) → the repository root.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RELATIVE = 'shared/reference/parquet-corpus';

/**
 * `../shared/reference/parquet-corpus` from the repository root, as on the CI machine; from a
 * worktree nested deeper, the nearest ancestor's `shared/` holds it.
 */
function findCorpus(): string {
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(candidate) || dirname(dir) === dir) return candidate;
  }
}

export const CORPUS = findCorpus();

/** The corpus's Parquet files, by name; throws with the path it looked in when it is missing. */
export function corpusFiles(): { name: string; path: string }[] {
  if (!existsSync(CORPUS)) {
    throw new Error(
      `the Parquet corpus is missing: expected ../${RELATIVE} from the repository root ${repoRoot} (see its SOURCE.md)`,
    );
  }
  return readdirSync(CORPUS)
    .filter((name) => name.endsWith('.parquet'))
    .sort()
    .map((name) => ({ name, path: join(CORPUS, name) }));
}

/** A table name per corpus file: its name without extension, as a plain identifier. */
export function corpusTable(name: string): string {
  return name
    .replace(/\.parquet$/, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase();
}
