import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { walkFiles } from '@lakeload/commons';
import { ConvertOptionsError } from '../errors.js';
import type { InputFile, InputFormat } from './records.js';

const FORMATS: Record<string, InputFormat> = { json: 'json', jsonl: 'jsonl', ndjson: 'jsonl', csv: 'csv' };

/** The format an input name implies (`orders.jsonl.gz` → jsonl, gzip), or undefined. */
export function formatOf(name: string): { format: InputFormat; gzip: boolean } | undefined {
  const lower = name.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const extension = (gzip ? lower.slice(0, -3) : lower).split('.').at(-1) ?? '';
  const format = FORMATS[extension];
  return format ? { format, gzip } : undefined;
}

// Folders the pipeline itself writes, and hidden ones, are never inputs.
function skipped(name: string): boolean {
  return name.startsWith('.') || name === '_rejects' || name === '_temporary' || name === 'node_modules';
}

/** A folder's inputs in the one walk order (code units, not the locale's); links are not followed. */
async function inputsUnder(dir: string): Promise<string[]> {
  const files = await walkFiles(dir, {
    include: ({ name, folder }) => !skipped(name) && (folder || formatOf(name) !== undefined),
  });
  return files.map((file) => join(dir, file));
}

/**
 * Expands files and folders (recursively) into inputs, each once. A named file with an unknown
 * extension or a path that does not exist is an options error; folders contribute only files they
 * can read.
 */
export async function discoverInputs(paths: readonly string[]): Promise<InputFile[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new ConvertOptionsError(`input "${path}" does not exist`);
    if (info.isDirectory()) files.push(...(await inputsUnder(path)));
    else if (formatOf(path)) files.push(path);
    else {
      throw new ConvertOptionsError(
        `input "${path}" has an unknown extension; use .json, .jsonl, .ndjson or .csv (optionally .gz)`,
      );
    }
  }
  const seen = new Set<string>();
  const inputs: InputFile[] = [];
  for (const path of files) {
    const absolute = resolve(path);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    const name = basename(path);
    const { format, gzip } = formatOf(name) ?? { format: 'jsonl', gzip: false };
    inputs.push({ path, absolute, name, format, gzip, bytes: (await stat(path)).size });
  }
  return inputs;
}
