// Value-by-value comparison of a loaded table with DuckDB's own reading of the files: per column, the
// multiset of its values in a canonical text that ignores representation (how a warehouse prints a
// number, a timestamp, bytes or JSON), so that only a different value makes a difference.
import parquet from '@dsnp/parquetjs';
import type { DuckDBConnection } from '@duckdb/node-api';

/** The part of the loader's column type that decides how a value prints (structurally the same). */
export interface PrintableType {
  kind: string;
  bits?: number;
  precision?: number;
  scale?: number;
}

/** A column of the file: its name and type. */
export interface PrintableColumn {
  name: string;
  type: PrintableType;
}

/** Identifier and literal quoting (the loader's compilers). */
export interface Quoting {
  quoteIdentifier(name: string): string;
  quoteLiteral(value: string): string;
}

export type Engine = 'duckdb' | 'postgres';

/** A SQL expression that prints `value` (of the file's `type`) so that `canonical` can normalise it. */
export function printed(engine: Engine, type: PrintableType, value: string): string {
  const duck = engine === 'duckdb';
  switch (type.kind) {
    case 'binary':
      return duck ? `hex(${value})` : `upper(encode(${value}, 'hex'))`;
    case 'timestamp':
      // Microseconds since the epoch: the instant (or the wall-clock time) whatever the time zone.
      return duck
        ? `CAST(epoch_us(${value}) AS VARCHAR)`
        : `((extract(epoch from ${value}) * 1000000)::numeric(30,0))::text`;
    case 'nested':
    case 'json':
      return duck ? `CAST(to_json(${value}) AS VARCHAR)` : `(${value})::text`;
    default:
      return duck ? `CAST(${value} AS VARCHAR)` : `(${value})::text`;
  }
}

/** A decimal number's text without representation: no trailing zeros, no `+`, no `-0`. */
function canonicalNumber(text: string): string {
  // DuckDB prints a decimal of no whole digits as `.5` (DECIMAL(p,p)), PostgreSQL as `0.5`.
  if (/e/i.test(text) || !/^-?(\d+(\.\d+)?|\.\d+)$/.test(text)) {
    const number = Number(
      text.toLowerCase() === 'inf' ? 'Infinity' : text.toLowerCase() === '-inf' ? '-Infinity' : text,
    );
    return Number.isNaN(number) ? 'NaN' : String(number);
  }
  let [whole = '0', fraction = ''] = text.replace(/^-/, '').split('.');
  fraction = fraction.replace(/0+$/, '');
  whole = whole.replace(/^0+(?=\d)/, '') || '0';
  const body = fraction ? `${whole}.${fraction}` : whole;
  return text.startsWith('-') && body !== '0' ? `-${body}` : body;
}

const UTC_TIMESTAMP = /^(\d{4,}-\d\d-\d\d(?: \(BC\))? \d\d:\d\d:\d\d(?:\.\d+)?)\+00$/;

/** JSON with sorted object keys and canonical numbers (read exactly, never through a double). */
function canonicalJson(text: string): string {
  const parsed = JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined
      ? { $number: canonicalNumber(context.source) }
      : value,
  ) as unknown;
  const write = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.$number === 'string' && Object.keys(record).length === 1) return record.$number;
      return `{${Object.keys(record)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${write(record[key])}`)
        .join(',')}}`;
    }
    // A UTC timestamp inside JSON prints with `+00` where the warehouse keeps it as TIMESTAMPTZ.
    if (typeof value === 'string') return JSON.stringify(value.replace(UTC_TIMESTAMP, '$1'));
    return JSON.stringify(value);
  };
  return write(parsed);
}

/** One printed value in canonical text; NULL as `NULL`. */
export function canonical(type: PrintableType, text: unknown): string {
  if (text === null || text === undefined) return 'NULL';
  const value = String(text);
  switch (type.kind) {
    case 'int':
    case 'decimal':
    case 'timestamp':
      return canonicalNumber(value);
    case 'float': {
      const lower = value.toLowerCase();
      const number =
        lower === 'nan'
          ? Number.NaN
          : lower.includes('inf')
            ? lower.startsWith('-')
              ? -Infinity
              : Infinity
            : Number(value);
      return String(type.bits === 64 ? number : Math.fround(number));
    }
    case 'boolean':
      return value === 't' ? 'true' : value === 'f' ? 'false' : value;
    case 'nested':
    case 'json':
      return canonicalJson(value);
    case 'uuid':
      return value.toLowerCase();
    case 'date':
      // DuckDB prints a date before year 1 as `… (BC)`, PostgreSQL as `… BC`.
      return value.replace(/ \(BC\)$/, ' BC');
    case 'interval':
      // PostgreSQL prints months as `mon`/`mons`, DuckDB as `month`/`months`.
      return value.replace(/\bmon(s?)\b/g, 'month$1');
    default:
      return value;
  }
}

/** Per column, its canonical values sorted: a fingerprint that ignores row order. */
export type Fingerprint = Record<string, string[]>;

export function fingerprint<C extends PrintableColumn>(
  columns: readonly C[],
  rows: readonly Record<string, unknown>[],
): Fingerprint {
  return Object.fromEntries(
    columns.map((column, index) => [
      column.name,
      rows.map((row) => canonical(column.type, row[`c${index}`])).sort(),
    ]),
  );
}

/** The SELECT that prints every column of `from` for `fingerprint`, as `c0`, `c1`, … */
export function printedSelect<C extends PrintableColumn>(
  engine: Engine,
  quoting: Quoting,
  columns: readonly C[],
  from: string,
): string {
  const list = columns.map(
    (column, index) => `${printed(engine, column.type, quoting.quoteIdentifier(column.name))} AS c${index}`,
  );
  return `SELECT ${list.join(', ')} FROM ${from}`;
}

/** DuckDB's own reading of the files (`query` runs DuckDB SQL), each as often as it is listed. */
/** A `query` for {@link fileFingerprint}: DuckDB SQL on `connection`, rows as JSON values. */
export const duckdbRows = (connection: DuckDBConnection) => async (sql: string) =>
  (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

export async function fileFingerprint<C extends PrintableColumn>(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  quoting: Quoting,
  columns: readonly C[],
  paths: readonly string[],
): Promise<Fingerprint> {
  const rows: Record<string, unknown>[] = [];
  for (const path of paths) {
    rows.push(
      ...(await query(
        printedSelect('duckdb', quoting, columns, `read_parquet(${quoting.quoteLiteral(path)})`),
      )),
    );
  }
  const print = fingerprint(columns, rows);
  // DuckDB reads a decimal of more than 38 digits as a (wrongly decoded) DOUBLE: those columns are
  // read from their bytes instead.
  for (const { name, type } of columns) {
    if (type.kind !== 'decimal' || (type.precision ?? 0) <= 38) continue;
    const values: (string | null)[] = [];
    for (const path of paths) values.push(...(await parquetDecimals(path, name, type.scale ?? 0)));
    print[name] = values.map((value) => canonical(type, value)).sort();
  }
  return print;
}

/** Unscaled big-endian two's-complement bytes as exact decimal text. */
function unscaledText(bytes: Uint8Array, scale: number): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  const value = BigInt.asIntN(bytes.length * 8, BigInt(`0x${hex || '0'}`));
  const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
  const point = digits.length - scale;
  const text = scale === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return value < 0n ? `-${text}` : text;
}

/**
 * A decimal column's values in file order, exact, as text (NULL as null): read by @dsnp/parquetjs,
 * which hands over a byte-array decimal's unscaled bytes as they are, a reader apart from both
 * DuckDB and the loader's.
 */
export async function parquetDecimals(path: string, name: string, scale: number): Promise<(string | null)[]> {
  const reader = await parquet.ParquetReader.openFile(path);
  try {
    const cursor = reader.getCursor([[name]]);
    const values: (string | null)[] = [];
    for (
      let row = (await cursor.next()) as Record<string, unknown> | null;
      row;
      row = (await cursor.next()) as Record<string, unknown> | null
    ) {
      const value = row[name];
      if (value === undefined || value === null) values.push(null);
      else if (value instanceof Uint8Array) values.push(unscaledText(value, scale));
      else throw new Error(`${path}: column "${name}" is not a byte-array decimal (read ${typeof value})`);
    }
    return values;
  } finally {
    await reader.close();
  }
}
