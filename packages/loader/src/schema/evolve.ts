// Schema drift between a file and its target table, decided on dialect-neutral types: what to add,
// what to widen, and what to refuse.
import { LoaderError } from '../errors.js';
import { type NameRules, nameKey } from './names.js';
import type { Column, ColumnType, NestedType } from './parquet.js';

/** `evolve` (default) adds and widens columns; `freeze` refuses any difference. */
export type Contract = 'evolve' | 'freeze';

/** A file whose columns the target cannot take; permanent until the file or the table changes. */
export class SchemaDriftError extends LoaderError {
  override name = 'SchemaDriftError';
  static override readonly tip: string =
    "Align the file's column types with the table, or migrate the table, then replay.";
}

export interface Evolution {
  /** Columns the target lacks, added as nullable. */
  add: Column[];
  /** Target columns whose type must grow to hold the file's values. */
  widen: { name: string; from: ColumnType; to: ColumnType }[];
}

export function describeType(type: ColumnType): string {
  switch (type.kind) {
    case 'int':
      return `${type.signed ? '' : 'unsigned '}int${type.bits}`;
    case 'float':
      return `float${type.bits}`;
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'time':
    case 'timestamp':
      return `${type.kind}(${type.unit}${type.utc ? ', utc' : ''})`;
    case 'nested': {
      // A struct's fields by name; a list's element and a map's key and value by type alone.
      const children = type.children?.map((child) =>
        type.shape === 'struct' ? `${child.name}: ${describeType(child.type)}` : describeType(child.type),
      );
      return children ? `${type.shape}<${children.join(', ')}>` : type.shape;
    }
    default:
      return type.kind;
  }
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return describeType(a) === describeType(b);
}

/**
 * The wider of two types when values of `file` fit a widened `target` without loss: integers grow
 * in width, decimals in precision (same scale), an integer becomes a wide enough decimal. Anything
 * else is incompatible (text into a number, precision or scale down, a date into a timestamp).
 */
function widened(target: ColumnType, file: ColumnType): ColumnType | undefined {
  if (target.kind === 'int' && file.kind === 'int' && target.signed === file.signed) {
    return file.bits > target.bits ? file : target;
  }
  if (
    target.kind === 'int' &&
    file.kind === 'int' &&
    target.signed &&
    !file.signed &&
    file.bits < target.bits
  ) {
    return target;
  }
  if (target.kind === 'decimal' && file.kind === 'decimal' && target.scale === file.scale) {
    return file.precision > target.precision ? file : target;
  }
  if (target.kind === 'decimal' && file.kind === 'int') {
    // The most digits of each integer width: 2^64 - 1 has 20, one more than the signed 64-bit range.
    const digits = (file.signed ? { 8: 3, 16: 5, 32: 10, 64: 19 } : { 8: 3, 16: 5, 32: 10, 64: 20 })[
      file.bits
    ];
    return target.precision - target.scale >= digits ? target : undefined;
  }
  if (target.kind === 'float' && file.kind === 'float') return file.bits > target.bits ? file : target;
  // A table keeps some file types in a broader one, and its catalog reports that one back: JSON and
  // UUIDs as text (Redshift), millisecond and INT96 timestamps as microseconds, nested values as one
  // nested type (SUPER), millisecond times of day as microseconds. Such a file fits the table as it is.
  if (target.kind === 'string' && (file.kind === 'json' || file.kind === 'uuid')) return target;
  // A schemaless nested column (jsonb, SUPER) takes any nested value, and jsonb any JSON text.
  if (target.kind === 'json' && file.kind === 'nested') return target;
  if (target.kind === 'nested' && file.kind === 'nested' && !target.children) return target;
  if (target.kind === 'nested' && file.kind === 'nested' && target.shape === file.shape) {
    return widenedNested(target, file);
  }
  // A UTC-adjusted one in nanoseconds too: DuckDB reads it in microseconds (the other warehouses
  // refuse nanoseconds when they stage the file).
  if (
    (target.kind === 'timestamp' || target.kind === 'time') &&
    file.kind === target.kind &&
    target.unit === 'micros' &&
    (file.unit !== 'nanos' || file.utc) &&
    target.utc === file.utc
  ) {
    return target;
  }
  return undefined;
}

/**
 * A typed nested column (DuckDB's STRUCT, LIST, MAP) widened to take a file's: each child widens as
 * a column does, and a struct gains the file's new fields (older rows read them as NULL); a file
 * that lacks some of the struct's fields fits as it is.
 */
function widenedNested(target: NestedType, file: NestedType): NestedType | undefined {
  const targetChildren = target.children ?? [];
  const children: Column[] = [];
  for (const [index, child] of targetChildren.entries()) {
    const other =
      target.shape === 'struct'
        ? file.children?.find((candidate) => candidate.name === child.name)
        : file.children?.[index];
    if (!other) {
      if (target.shape !== 'struct') return undefined;
      children.push(child);
      continue;
    }
    const wider = sameType(child.type, other.type) ? child.type : widened(child.type, other.type);
    if (!wider) return undefined;
    children.push({ ...child, type: wider, nullable: child.nullable || other.nullable });
  }
  if (target.shape === 'struct') {
    for (const other of file.children ?? []) {
      if (!targetChildren.some((child) => child.name === other.name))
        children.push({ ...other, nullable: true });
    }
  }
  return { ...target, children };
}

/** Names compared exactly, as no warehouse folds or cuts them. */
const EXACT_NAMES: NameRules = { foldsToLower: false, caseInsensitive: false, reservedColumns: [] };

/**
 * Compares a file's columns with the target's, matched by name as the warehouse matches them
 * (`names`: folded, cut, compared with or without case). Files may lack
 * target columns (they load as NULL); extra file columns are added; differing types are widened
 * where safe. Under `freeze` any difference is refused.
 */
export function evolve(
  target: readonly Column[],
  file: readonly Column[],
  contract: Contract,
  table: string,
  names: NameRules = EXACT_NAMES,
): Evolution {
  const existing = new Map(target.map((column) => [nameKey(column.name, names), column]));
  const evolution: Evolution = { add: [], widen: [] };
  const problems: string[] = [];
  for (const column of file) {
    const current = existing.get(nameKey(column.name, names));
    if (!current) {
      evolution.add.push({ ...column, nullable: true });
      continue;
    }
    if (sameType(current.type, column.type)) continue;
    const wider = widened(current.type, column.type);
    if (!wider) {
      problems.push(
        `column "${column.name}" is ${describeType(current.type)} in the table but ${describeType(column.type)} in the file`,
      );
    } else if (!sameType(wider, current.type)) {
      evolution.widen.push({ name: current.name, from: current.type, to: wider });
    }
  }
  if (problems.length > 0) {
    throw new SchemaDriftError(
      `${table}: ${problems.join('; ')}. Incompatible changes are refused: convert the column in the file, or migrate the table yourself and load again`,
    );
  }
  if (contract === 'freeze' && (evolution.add.length > 0 || evolution.widen.length > 0)) {
    const changes = [
      ...evolution.add.map((column) => `new column "${column.name}" (${describeType(column.type)})`),
      ...evolution.widen.map(
        (change) => `"${change.name}" ${describeType(change.from)} → ${describeType(change.to)}`,
      ),
    ];
    throw new SchemaDriftError(
      `${table}: the table's contract is "freeze" and the file differs: ${changes.join('; ')}. Set the contract to "evolve" or fix the file`,
    );
  }
  return evolution;
}
