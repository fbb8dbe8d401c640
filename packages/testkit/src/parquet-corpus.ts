// The shared corpus of Parquet files written by other engines (apache/parquet-testing), found from
// the repository root; a test that needs it fails, never skips, when it is missing.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// packages/testkit/src (or dist) → the repository root.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RELATIVE = 'shared/reference/parquet-corpus';

// This workplace's machines keep the shared folder here; a clone elsewhere (CI's, a newcomer's in
// /tmp) has no `../shared` of its own.
const WORKPLACE = '/work/shared/reference/parquet-corpus';

/**
 * `LAKELOAD_PARQUET_CORPUS` when set; else `shared/reference/parquet-corpus` beside the repository
 * root or beside one of its ancestors (a worktree nested deeper); else the workplace's copy.
 */
function findCorpus(): string {
  const named = process.env.LAKELOAD_PARQUET_CORPUS;
  if (named) return named;
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return existsSync(WORKPLACE) ? WORKPLACE : join(dirname(repoRoot), RELATIVE);
}

export const CORPUS = findCorpus();

/** The corpus's Parquet files, by name; throws with the path it looked in when it is missing. */
export function corpusFiles(): { name: string; path: string }[] {
  if (!existsSync(CORPUS)) {
    throw new Error(
      `the Parquet corpus is missing: looked in ${CORPUS}; set LAKELOAD_PARQUET_CORPUS to the folder of apache/parquet-testing's files (see ../${RELATIVE}/SOURCE.md)`,
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
