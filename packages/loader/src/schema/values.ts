// The value that failed a load. A warehouse refuses a bad value in its own words (PostgreSQL's
// "numeric field overflow", DuckDB's "not valid UTF8"), naming neither the column nor the row. Once
// a file has failed alone, its columns are read here as their physical type holds them (hyparquet,
// annotations set aside) and the first value its column's type cannot hold is named with the fix.
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { type Column, type ColumnType, fileSource } from './parquet.js';
import { compressors, decimalText, unscaled } from './raw-values.js';

/** What the warehouse's types hold beyond what every warehouse does (its capabilities say). */
export interface ValueRules {
  /**
   * Text may hold NUL (U+0000): DuckDB's VARCHAR does; PostgreSQL's text does not
   * (https://www.postgresql.org/docs/current/datatype-character.html), nor does Redshift's COPY
   * (https://docs.aws.amazon.com/redshift/latest/dg/t_preparing-input-data.html).
   */
  textHoldsNul: boolean;
  /**
   * JSON may not hold the escape `\u0000`: PostgreSQL's jsonb refuses it (SQLSTATE 22P05,
   * https://www.postgresql.org/docs/current/datatype-json.html); text columns take it as six characters.
   */
  jsonRefusesNulEscape: boolean;
}

/** The first value of a file that its column cannot hold, and what to do about it. */
export interface BadValue {
  column: string;
  /** The row in the file, counted from 1. */
  row: number;
  problem: string;
  fix: string;
}

/** A column's check of one raw value: a problem and its fix, or undefined when the value is fine. */
type Check = (value: unknown) => { problem: string; fix: string } | undefined;

const utf8 = new TextDecoder('utf-8', { fatal: true });
// `\u0000` escaped in JSON text: the backslash before `u` is not itself escaped.
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

function stringCheck(type: ColumnType, rules: ValueRules): Check {
  return (value) => {
    if (!(value instanceof Uint8Array)) return undefined;
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      const hex = Array.from(value.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
      return {
        problem: `the text is not valid UTF-8 (bytes ${hex}${value.length > 16 ? ' …' : ''}), which every warehouse refuses`,
        fix: 'Write the column as UTF-8 text (re-encode it from its source encoding), or as binary without a string annotation, then replay.',
      };
    }
    if (!rules.textHoldsNul && text.includes('\u0000')) {
      return {
        problem: 'the text holds a NUL character (U+0000), which this warehouse cannot store in text',
        fix: 'Remove the NUL characters from the column in the file (or write it as binary), then replay.',
      };
    }
    if (type.kind === 'json' && rules.jsonRefusesNulEscape && NUL_ESCAPE.test(text)) {
      return {
        problem: 'the JSON holds the escape \\u0000 (NUL), which this warehouse cannot store in JSON',
        fix: 'Remove the \\u0000 escapes from the column in the file, then replay.',
      };
    }
    return undefined;
  };
}

function decimalCheck(precision: number, scale: number): Check {
  const limit = 10n ** BigInt(precision);
  return (value) => {
    if (!(value instanceof Uint8Array) && typeof value !== 'bigint' && typeof value !== 'number')
      return undefined;
    const number = unscaled(value);
    if (number < limit && number > -limit) return undefined;
    const digits = (number < 0n ? -number : number).toString().length;
    return {
      problem: `${decimalText(number, scale)} has ${digits} digits, more than its decimal(${precision},${scale}) holds`,
      fix: `Write the column as a decimal of at least ${digits} digits (decimal(${Math.max(digits, scale)},${scale})), or correct the value, then replay.`,
    };
  };
}

function integerCheck(bits: number, signed: boolean): Check {
  const span = 1n << BigInt(bits);
  const low = signed ? -span / 2n : 0n;
  const high = signed ? span / 2n - 1n : span - 1n;
  const name = `${signed ? 'INT' : 'UINT'}(${bits})`;
  return (value) => {
    if (typeof value !== 'number') return undefined;
    const number = BigInt(value);
    if (number >= low && number <= high) return undefined;
    return {
      problem: `${number} is outside the ${name} its annotation declares (${low} to ${high}); readers would read another number`,
      fix: `Write the column as a wider integer (or correct the value), then replay.`,
    };
  };
}

/** The check of a top-level column whose values a warehouse may refuse one by one, if any. */
function checkOf(type: ColumnType, rules: ValueRules): Check | undefined {
  switch (type.kind) {
    case 'string':
    case 'json':
      return stringCheck(type, rules);
    case 'decimal':
      return decimalCheck(type.precision, type.scale);
    case 'int':
      return type.bits < 32 ? integerCheck(type.bits, type.signed) : undefined;
    default:
      return undefined;
  }
}

/**
 * The first row (and, within it, the first column in file order) of a local Parquet file holding a
 * value its column cannot hold under `rules`; undefined when every value fits, or when no column
 * is of a kind checked here. Reads only those columns, a row group at a time.
 */
export async function findBadValue(
  path: string,
  columns: readonly Column[],
  rules: ValueRules,
): Promise<BadValue | undefined> {
  const checks = new Map<string, Check>();
  for (const column of columns) {
    const check = checkOf(column.type, rules);
    if (check) checks.set(column.name, check);
  }
  if (checks.size === 0) return undefined;
  // The file through node:fs ranged reads (hyparquet's own file reader imports "fs", which the
  // Lambda bundle must not).
  const source = await fileSource(path);
  try {
    const file: AsyncBuffer = {
      byteLength: source.size,
      slice: async (start, end = source.size) =>
        (await source.read(start, end - start)).buffer as ArrayBuffer,
    };
    return await searchFile(file, columns, checks);
  } finally {
    await source.close();
  }
}

/** The search of `findBadValue` over the file's bytes. */
async function searchFile(
  file: AsyncBuffer,
  columns: readonly Column[],
  checks: ReadonlyMap<string, Check>,
): Promise<BadValue | undefined> {
  const metadata = await parquetMetadataAsync(file);
  // Without their annotations hyparquet hands over the physical values: bytes, not decoded text
  // or a rounded Number.
  const raw: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((element, index) => {
      if (index === 0 || !checks.has(element.name)) return element;
      const { converted_type: _converted, logical_type: _logical, ...bare } = element;
      return bare;
    }),
  };
  const order = columns.map((column) => column.name).filter((name) => checks.has(name));
  let firstRow = 0;
  for (const group of metadata.row_groups) {
    const count = Number(group.num_rows);
    let found: BadValue | undefined;
    await parquetRead({
      file,
      metadata: raw,
      columns: order,
      rowStart: firstRow,
      rowEnd: firstRow + count,
      utf8: false,
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const check = checks.get(columnName);
        if (!check) return;
        for (let index = 0; index < columnData.length; index++) {
          const row = rowStart + index + 1;
          if (
            found &&
            (row > found.row ||
              (row === found.row && order.indexOf(columnName) > order.indexOf(found.column)))
          )
            return;
          const bad = check(columnData[index]);
          if (bad) {
            found = { column: columnName, row, ...bad };
            return;
          }
        }
      },
    });
    if (found) return found;
    firstRow += count;
  }
  return undefined;
}
