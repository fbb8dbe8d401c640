import { createHash } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { walkFiles } from '@lakeload/commons';
import type { DatasetName } from './datasets.js';

const PARQUET_NAME = /^(?<dataset>[a-z_]+)_(?<day>\d{8})_(?<tag>[0-9a-f]{12})_(?<part>\d{3})\.parquet$/;

/** Output files of one input carry this tag, so converting the same input again replaces them. */
export function sourceTag(absolutePath: string): string {
  return createHash('sha256').update(absolutePath).digest('hex').slice(0, 12);
}

/** The output folder's files, without the pipeline's own `_temporary` and `_rejects` or hidden ones. */
async function listOutputs(outDir: string): Promise<string[]> {
  const files = await walkFiles(outDir, {
    include: ({ name, path }) => path !== name || !(name.startsWith('_') || name.startsWith('.')),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return files.map((file) => join(outDir, file));
}

/** Existing output files by source tag. */
export async function indexOutputs(outDir: string): Promise<Map<string, Set<string>>> {
  const index = new Map<string, Set<string>>();
  for (const path of await listOutputs(outDir)) {
    const tag = PARQUET_NAME.exec(path.split(sep).at(-1) ?? '')?.groups?.tag;
    if (!tag) continue;
    const files = index.get(tag) ?? new Set<string>();
    files.add(path);
    index.set(tag, files);
  }
  return index;
}

export interface Published {
  dataset: DatasetName;
  path: string;
}

/** `outDir/year=YYYY/month=MM/day=DD/<dataset>/<dataset>_YYYYMMDD_<tag>_001.parquet` for a UTC day. */
export function outputPath(outDir: string, dataset: DatasetName, day: string, tag: string): string {
  const [year = '', month = '', dayOfMonth = ''] = day.split('-');
  const name = `${dataset}_${year}${month}${dayOfMonth}_${tag}_001.parquet`;
  return join(outDir, `year=${year}`, `month=${month}`, `day=${dayOfMonth}`, dataset, name);
}

/** Moves a finished file into place; the rename is atomic, so readers never see a partial file. */
export async function publishFile(staged: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await rename(staged, target);
}

/** Deletes files an earlier conversion of the same input wrote and this one did not replace. */
export async function removeStale(
  previous: ReadonlySet<string>,
  current: readonly Published[],
): Promise<number> {
  const kept = new Set(current.map((file) => file.path));
  let removed = 0;
  for (const path of previous) {
    if (kept.has(path)) continue;
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}
