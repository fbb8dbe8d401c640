// How each warehouse stores and compares names, as data (each adapter holds its rules), and the
// pure checks that refuse a file whose names would collide once the warehouse has folded or cut
// them, or that clash with the columns the loader adds while it reads a file.
import { LoaderError } from '../errors.js';
import type { Column } from './parquet.js';

/** A warehouse's rules for table and column names. */
export interface NameRules {
  /**
   * The catalog stores every name in lower case, quoted or not (Redshift, whose
   * `enable_case_sensitive_identifier` is off by default:
   * https://docs.aws.amazon.com/redshift/latest/dg/r_enable_case_sensitive_identifier.html).
   */
  foldsToLower: boolean;
  /** Names that differ only by case name one table or column (DuckDB). */
  caseInsensitive: boolean;
  /**
   * The longest name in bytes of UTF-8; the warehouse cuts longer names to it (PostgreSQL 63,
   * https://www.postgresql.org/docs/current/sql-syntax-lexical.html; Redshift 127,
   * https://docs.aws.amazon.com/redshift/latest/dg/r_names.html).
   */
  maxNameBytes?: number;
  /**
   * Columns the loader adds while it reads or stages a file (DuckDB's reader: row position, file
   * path; Redshift's staging: each row's file).
   */
  reservedColumns: readonly string[];
  /**
   * The start of the loader's own temporary tables' names, which no target table may use: a temp
   * table of that name would shadow it (Redshift: temp tables resolve first within a session).
   */
  reservedTablePrefix?: string;
  /**
   * Names of the columns every table has already (PostgreSQL's `ctid`, `xmin`, …), as the catalog
   * stores them: no column of the table may take one.
   */
  systemColumns?: readonly string[];
  /**
   * The most columns a file may have: the warehouse's most per table less the columns that staging
   * adds beside the file's own, so that a file that creates its table can also be staged.
   */
  maxColumns?: number;
}

/** A name that the warehouse would fold or cut onto another, or that the loader uses itself. */
export class NameCollisionError extends LoaderError {
  override name = 'NameCollisionError';
}

/** The name as the warehouse's catalog stores it: folded, then cut to its longest name. */
export function storedName(name: string, rules: NameRules): string {
  const folded = rules.foldsToLower ? name.toLowerCase() : name;
  const bytes = new TextEncoder().encode(folded);
  const max = rules.maxNameBytes;
  if (max === undefined || bytes.length <= max) return folded;
  // Cut at a character boundary, as PostgreSQL's truncate_identifier does.
  let cut = max;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return new TextDecoder().decode(bytes.subarray(0, cut));
}

/** Two names are one column or table of the warehouse exactly when their keys are equal. */
export function nameKey(name: string, rules: NameRules): string {
  const stored = storedName(name, rules);
  return rules.caseInsensitive ? stored.toLowerCase() : stored;
}

/**
 * Refuses a file whose columns the warehouse would fold or cut onto one another, or that are named
 * like a column the loader adds while it reads the file. Names that differ only by case are refused
 * everywhere: DuckDB (the reader of the DuckDB and PostgreSQL dialects) binds them to one column,
 * and Redshift folds them to one.
 */
export function checkColumnNames(table: string, columns: readonly Column[], rules: NameRules): void {
  if (rules.maxColumns !== undefined && columns.length > rules.maxColumns) {
    throw new NameCollisionError(
      `${table}: the file has ${columns.length} columns; this warehouse loads at most ${rules.maxColumns} (its limit per table, less the columns the load adds while staging). Split the file's columns over several tables`,
    );
  }
  const reserved = new Set(rules.reservedColumns.map((name) => name.toLowerCase()));
  const system = new Set(rules.systemColumns);
  const seen = new Map<string, string>();
  for (const [index, { name }] of columns.entries()) {
    // Parquet allows any name; SQL has no empty identifier, and none with a NUL character.
    if (name === '' || name.includes('\u0000')) {
      throw new NameCollisionError(
        `${table}: the file's column ${index + 1} is named ${JSON.stringify(name)}, which no SQL identifier can be; give it a name (without NUL characters) in the file`,
      );
    }
    if (system.has(storedName(name, rules))) {
      throw new NameCollisionError(
        `${table}: the file's column "${name}" has the name of a system column every table of this warehouse has (${[...system].join(', ')}); rename the column in the file`,
      );
    }
    if (reserved.has(name.toLowerCase())) {
      throw new NameCollisionError(
        `${table}: the file's column "${name}" has a name the loader uses for its own bookkeeping while it reads or stages a file (${rules.reservedColumns.join(', ')}, reserved by the loader); rename the column in the file`,
      );
    }
    const key = storedName(name, rules).toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) {
      throw new NameCollisionError(
        `${table}: the file's columns "${other}" and "${name}" would be one column "${storedName(name, rules)}" in the warehouse, where names that differ only by case${rules.maxNameBytes === undefined ? '' : ` or share their first ${rules.maxNameBytes} bytes`} are one; rename one of them in the file`,
      );
    }
    seen.set(key, name);
  }
}

/**
 * Refuses a table name the warehouse would cut (two folders that share its first bytes would
 * otherwise load into one table under two names), or one named like the loader's temporary tables.
 */
export function checkTableName(table: string, rules: NameRules): void {
  const prefix = rules.reservedTablePrefix;
  if (prefix !== undefined && table.toLowerCase().startsWith(prefix)) {
    throw new NameCollisionError(
      `table ${JSON.stringify(table)} starts with ${prefix}, which the loader reserves for its temporary tables; route the file to another name`,
    );
  }
  const bytes = new TextEncoder().encode(table).length;
  if (rules.maxNameBytes !== undefined && bytes > rules.maxNameBytes) {
    throw new NameCollisionError(
      `table "${table}" is ${bytes} bytes long; the warehouse keeps only ${rules.maxNameBytes} ("${storedName(table, rules)}"), so other folders with the same start would load into the same table. Rename the folder, or map it to a shorter table with a routing rule`,
    );
  }
}
