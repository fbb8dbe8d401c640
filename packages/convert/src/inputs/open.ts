import { createReadStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import type { InputFile } from './records.js';

/** The input's bytes, gunzipped when needed; `onBytes` counts bytes read from disk for progress. */
export function openInput(input: InputFile, onBytes?: (bytes: number) => void): Readable {
  const file = createReadStream(input.path, { highWaterMark: 1 << 20 });
  // Counted in a pass-through stage: a 'data' listener on the file would start it flowing before
  // anyone reads, and the bytes read meanwhile would be lost.
  const stages: Readable[] = [file];
  if (onBytes) {
    stages.push(
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          onBytes(chunk.length);
          callback(null, chunk);
        },
      }),
    );
  }
  if (input.gzip) stages.push(createGunzip());
  return stages.reduce((source, next) => {
    source.on('error', (error) => next.destroy(error));
    return source.pipe(next as unknown as NodeJS.WritableStream) as unknown as Readable;
  });
}

/** Turns a read failure into an error that names the input and the fix. */
export function readFailure(input: InputFile, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
    return new InputError(input.path, `is not valid gzip (${message}); re-export or re-compress it`, {
      cause: error,
    });
  }
  if (code === 'EACCES')
    return new InputError(input.path, 'cannot be read: permission denied', { cause: error });
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
  for await (const chunk of stream) {
    const text = rest + decoder.write(chunk as Buffer);
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      rest = text;
      continue;
    }
    rest = text.slice(end + 1);
    const lines = splitLines(text.slice(0, end + 1), next === 1);
    yield { firstLine: next, lines };
    next += lines.length;
  }
  const lines = splitLines(rest + decoder.end(), next === 1);
  if (lines.length > 0) yield { firstLine: next, lines };
}

/** Splits decoded text into lines the way `lineBatches` does (CR/LF, no trailing empty line). */
export function splitLines(text: string, stripBom: boolean): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  if (stripBom && lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
  return lines;
}
