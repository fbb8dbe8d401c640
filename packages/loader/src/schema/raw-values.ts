// Parquet values as their physical type holds them, for the readers that bypass DuckDB: the
// decimals PostgreSQL loads exactly (warehouse/postgres/wide-decimals.ts) and the search for the
// value that failed a load (values.ts). hyparquet decodes the pages.
import * as zlib from 'node:zlib';
import type { Compressors } from 'hyparquet';

// Node's own codecs beside hyparquet's built-in Snappy; a file in another codec fails with
// hyparquet's message naming it. Zstandard only where Node has it (22.15+; the CLI runs on 20).
const { zstdDecompressSync } = zlib as Partial<typeof zlib>;
export const compressors: Compressors = {
  GZIP: (input) => zlib.gunzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
  ...(zstdDecompressSync ? { ZSTD: (input: Uint8Array) => zstdDecompressSync(input) } : {}),
};

/**
 * An unscaled decimal or integer as a bigint: big-endian two's-complement bytes
 * (https://github.com/apache/parquet-format/blob/master/LogicalTypes.md#decimal), or a number.
 */
export function unscaled(value: Uint8Array | bigint | number): bigint {
  if (!(value instanceof Uint8Array)) return BigInt(value);
  let result = 0n;
  for (const byte of value) result = (result << 8n) | BigInt(byte);
  return (value[0] ?? 0) & 0x80 ? result - (1n << BigInt(value.length * 8)) : result;
}

/** The exact decimal text of an unscaled value at its scale. */
export function decimalText(value: Uint8Array | bigint | number, scale: number): string {
  const number = unscaled(value);
  const negative = number < 0n;
  const digits = (negative ? -number : number).toString();
  const sign = negative ? '-' : '';
  if (scale <= 0) return `${sign}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}
