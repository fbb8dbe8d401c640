import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import type { InputFile } from './records.js';

/** The input's bytes, gunzipped when needed; `onBytes` counts bytes read from disk for progress. */
export function openInput(input: InputFile, onBytes?: (bytes: number) => void): Readable {
  const file = createReadStream(input.path, { highWaterMark: 1 << 20 });
  if (onBytes) file.on('data', (chunk: Buffer | string) => onBytes(chunk.length));
  if (!input.gzip) return file;
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

/** Turns a read failure into an error that names the input and the fix. */
export function readFailure(input: InputFile, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return new InputError(input.path, `is not valid gzip (${message}); re-export or re-compress it`, { cause: error });
  }
  if (code === 'EACCES') return new InputError(input.path, 'cannot be read: permission denied', { cause: error });
  return new InputError(input.path, `cannot be read: ${message}`, { cause: error });
}

export interface LineBatch {
  /** Line number of `lines[0]`, 1-based. */
  firstLine: number;
  lines: string[];
}

/** Text lines in batches (CR/LF and a leading BOM removed), decoded as UTF-8 across chunk edges. */
export async function* lineBatches(stream: Readable): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let next = 1;
  const batch = (text: string, final: boolean): LineBatch => {
    const lines = text.split('\n');
    rest = final ? '' : (lines.pop() ?? '');
    if (final && lines.at(-1) === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
    if (next === 1 && lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
    const result = { firstLine: next, lines };
    next += lines.length;
    return result;
  };
  for await (const chunk of stream) {
    const text = rest + decoder.write(chunk as Buffer);
    const result = batch(text, false);
    if (result.lines.length > 0) yield result;
  }
  const tail = batch(rest + decoder.end(), true);
  if (tail.lines.length > 0) yield tail;
}
