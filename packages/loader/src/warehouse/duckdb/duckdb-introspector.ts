import type { Column, ColumnType } from '../../schema/parquet.js';
import type { DuckDBSqlCompiler } from './duckdb-sql-compiler.js';

/** DuckDB's table names ignore case (see its name rules): `Events` finds the table `events`. */
export function columnsSql(compiler: DuckDBSqlCompiler, table: string): string {
  return `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND lower(table_name) = lower(${compiler.quoteLiteral(table)}) ORDER BY ordinal_position`;
}

const INTEGERS: Record<string, ColumnType> = {
  TINYINT: { kind: 'int', bits: 8, signed: true },
  SMALLINT: { kind: 'int', bits: 16, signed: true },
  INTEGER: { kind: 'int', bits: 32, signed: true },
  BIGINT: { kind: 'int', bits: 64, signed: true },
  UTINYINT: { kind: 'int', bits: 8, signed: false },
  USMALLINT: { kind: 'int', bits: 16, signed: false },
  UINTEGER: { kind: 'int', bits: 32, signed: false },
  UBIGINT: { kind: 'int', bits: 64, signed: false },
};

/** A DuckDB type name as reported by information_schema, back in the loader's neutral types. */
export function parseDuckDBType(name: string): ColumnType {
  const upper = name.toUpperCase();
  if (upper.endsWith('[]') || /^(STRUCT|MAP|UNION)\(/.test(upper)) return parseNested(name);
  const integer = INTEGERS[upper];
  if (integer) return integer;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(upper);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  switch (upper) {
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'FLOAT':
      return { kind: 'float', bits: 32 };
    case 'DOUBLE':
      return { kind: 'float', bits: 64 };
    case 'VARCHAR':
      return { kind: 'string' };
    case 'JSON':
      return { kind: 'json' };
    case 'UUID':
      return { kind: 'uuid' };
    case 'BLOB':
      return { kind: 'binary' };
    case 'DATE':
      return { kind: 'date' };
    case 'TIME':
      return { kind: 'time', unit: 'micros', utc: false };
    case 'TIME_NS':
      return { kind: 'time', unit: 'nanos', utc: false };
    case 'TIME WITH TIME ZONE':
      return { kind: 'time', unit: 'micros', utc: true };
    case 'TIMESTAMP':
      return { kind: 'timestamp', unit: 'micros', utc: false };
    case 'TIMESTAMP WITH TIME ZONE':
      return { kind: 'timestamp', unit: 'micros', utc: true };
    case 'TIMESTAMP_NS':
      return { kind: 'timestamp', unit: 'nanos', utc: false };
    case 'TIMESTAMP_MS':
      return { kind: 'timestamp', unit: 'millis', utc: false };
    case 'INTERVAL':
      return { kind: 'interval' };
    default:
      return parseNested(name);
  }
}

/**
 * DuckDB's nested type names (`INTEGER[]`, `MAP(VARCHAR, INTEGER)`, `STRUCT(a INTEGER, "b c"
 * VARCHAR[])`) back in the loader's types, children included, so that schema drift compares them.
 */
function parseNested(name: string): ColumnType {
  const trimmed = name.trim();
  if (trimmed.endsWith('[]')) {
    return { kind: 'nested', shape: 'list', children: [child('element', trimmed.slice(0, -2))] };
  }
  const open = trimmed.indexOf('(');
  const head = trimmed.slice(0, open).trim().toUpperCase();
  const parts = splitTopLevel(trimmed.slice(open + 1, -1));
  if (head === 'MAP' && parts.length === 2) {
    return {
      kind: 'nested',
      shape: 'map',
      children: [child('key', parts[0] as string), child('value', parts[1] as string)],
    };
  }
  if (head === 'STRUCT') {
    return {
      kind: 'nested',
      shape: 'struct',
      children: parts.map((part) => {
        const [field, rest] = splitName(part.trim());
        return child(field, rest);
      }),
    };
  }
  // A type the loader never creates (e.g. a UNION made by hand): compared by shape only.
  return { kind: 'nested', shape: 'struct' };
}

const child = (name: string, type: string): Column => ({
  name,
  type: parseDuckDBType(type.trim()),
  nullable: true,
});

/** Splits a type list at the commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')') depth -= 1;
    else if (!quoted && depth === 0 && char === ',') {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A struct field: its name (quoted with doubled quotes, or bare) and its type. */
function splitName(part: string): [string, string] {
  if (part.startsWith('"')) {
    let index = 1;
    let name = '';
    while (index < part.length) {
      if (part[index] === '"' && part[index + 1] === '"') {
        name += '"';
        index += 2;
      } else if (part[index] === '"') break;
      else {
        name += part[index];
        index += 1;
      }
    }
    return [name, part.slice(index + 1)];
  }
  const space = part.indexOf(' ');
  return [part.slice(0, space), part.slice(space + 1)];
}

export function toColumns(rows: readonly Record<string, unknown>[]): Column[] {
  return rows.map((row) => ({
    name: String(row.column_name),
    type: parseDuckDBType(String(row.data_type)),
    nullable: row.is_nullable !== 'NO',
  }));
}
