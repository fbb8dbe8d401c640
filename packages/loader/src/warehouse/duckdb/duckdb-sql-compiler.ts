import { LoaderError } from '../../errors.js';
import type { Column, ColumnType, NestedType } from '../../schema/parquet.js';
import {
  batchRow,
  FILE,
  geospatialRefused,
  KEEP,
  OLDER,
  parquetBatchSource,
  parquetFiles,
  ROW,
  rankedRows,
  SqlCompiler,
  type StoredMatch,
  UnsupportedTypeError,
} from '../sql-compiler.js';

/**
 * DuckDB's types, one for one with Parquet's (the type table in the package README):
 * int8..64 → TINYINT..BIGINT (UTINYINT..UBIGINT unsigned), float32/64 → FLOAT/DOUBLE,
 * decimal(p,s) → DECIMAL(p,s) (p ≤ 38), string/json/uuid → VARCHAR/JSON/UUID, binary → BLOB,
 * date → DATE, time → TIME (UTC-adjusted → TIMETZ; nanoseconds → TIME_NS), timestamp → TIMESTAMP
 * (UTC-adjusted → TIMESTAMPTZ; nanoseconds → TIMESTAMP_NS), interval → INTERVAL; structs, lists and maps → STRUCT(…), T[], MAP(K, V).
 */
export class DuckDBSqlCompiler extends SqlCompiler {
  columnType(type: ColumnType, column: string): string {
    switch (type.kind) {
      case 'boolean':
        return 'BOOLEAN';
      case 'int': {
        const names = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' } as const;
        return `${type.signed ? '' : 'U'}${names[type.bits]}`;
      }
      case 'float':
        return type.bits === 64 ? 'DOUBLE' : 'FLOAT';
      case 'decimal':
        if (type.precision > 38) {
          throw new UnsupportedTypeError(
            `column "${column}" is decimal(${type.precision},${type.scale}); DuckDB holds at most 38 digits. Write it as decimal(38,s) or as a string`,
          );
        }
        return `DECIMAL(${type.precision},${type.scale})`;
      case 'string':
        return 'VARCHAR';
      case 'json':
        return 'JSON';
      case 'uuid':
        return 'UUID';
      case 'binary':
        if (type.geospatial) throw geospatialRefused(column, type.geospatial);
        return 'BLOB';
      case 'date':
        return 'DATE';
      // DuckDB has no zone-aware type in nanoseconds: its reader reads a UTC-adjusted nanosecond time
      // or timestamp as TIMETZ or TIMESTAMPTZ, in microseconds, and the column takes what it reads.
      case 'time':
        if (type.utc) return 'TIMETZ';
        return type.unit === 'nanos' ? 'TIME_NS' : 'TIME';
      case 'timestamp':
        if (type.utc) return 'TIMESTAMPTZ';
        return type.unit === 'nanos' ? 'TIMESTAMP_NS' : 'TIMESTAMP';
      case 'interval':
        return 'INTERVAL';
      case 'nested':
        return this.#nestedType(type, column);
    }
  }

  /** DuckDB's own STRUCT, LIST and MAP, as it reads the file: nested values stay queryable. */
  #nestedType(type: NestedType, column: string): string {
    const children = type.children ?? [];
    const child = (index: number) => {
      const found = children[index];
      if (!found) throw new UnsupportedTypeError(`column "${column}" is a ${type.shape} without its parts`);
      return this.columnType(found.type, `${column}.${found.name}`);
    };
    switch (type.shape) {
      case 'list':
        return `${child(0)}[]`;
      case 'map':
        return `MAP(${child(0)}, ${child(1)})`;
      case 'struct':
        if (type.variant)
          throw new UnsupportedTypeError(
            `column "${column}" is a VARIANT, which DuckDB reads as its own VARIANT type and the loader does not map to a table column. Write it as JSON text`,
          );
        // A UNION as DuckDB writes it: its tag is a field without a name.
        if (children.some((field) => field.name === ''))
          throw new UnsupportedTypeError(
            `column "${column}" is a struct with a field without a name (as DuckDB writes a UNION), which a DuckDB table cannot have. Give every field a name, or write the value as JSON text`,
          );
        if (children.length === 0)
          throw new UnsupportedTypeError(
            `column "${column}" is a struct without fields; DuckDB needs at least one`,
          );
        return `STRUCT(${children
          .map(
            (field) =>
              `${this.quoteIdentifier(field.name)} ${this.columnType(field.type, `${column}.${field.name}`)}`,
          )
          .join(', ')})`;
    }
  }

  /** The key and version columns a positions staging holds, each once, in key order. */
  #positionColumns(settings: { keys: readonly string[]; version?: string | undefined }): string[] {
    const { keys, version } = settings;
    return [...keys, ...(version && !keys.includes(version) ? [version] : [])];
  }

  /**
   * The staging table of a positions batch: the key and version columns in the file's types, each
   * row's file and position, and (keyed tables) whether it is the newest row of its key, in the
   * types the target gets for them.
   */
  createPositions(
    staging: string,
    columns: readonly Column[],
    settings: { keys: readonly string[]; version?: string | undefined },
  ): string {
    const definitions = this.#positionColumns(settings).map((name) => {
      const column = columns.find((candidate) => candidate.name === name);
      if (!column) throw new LoaderError(`the batch's files have no column "${name}"`);
      return `${this.quoteIdentifier(name)} ${this.columnType(column.type, name)}`;
    });
    return `CREATE TEMP TABLE ${this.quoteIdentifier(staging)} (${[
      ...definitions,
      `${this.quoteIdentifier(FILE)} INTEGER`,
      `${this.quoteIdentifier(ROW)} BIGINT`,
      ...(settings.keys.length > 0 ? [`${this.quoteIdentifier(KEEP)} BOOLEAN`] : []),
    ].join(', ')})`;
  }

  /**
   * Stages a batch's positions in one scan of its files (DuckDB reads them in parallel): per row
   * its key and version columns, its file and position in the batch, and whether it is the newest
   * row of its key (`KEEP`: the larger version, else the later row of the newer file). Only these
   * narrow columns are decoded and written; the insert reads the kept rows again whole
   * (`insertKeptFromFiles`), which costs less than writing every column into staging first.
   */
  stagePositions(
    staging: string,
    settings: { keys: readonly string[]; version?: string | undefined },
    paths: readonly string[],
  ): string {
    const { keys } = settings;
    const names = this.#positionColumns(settings);
    const keep = keys.length === 0 ? [] : [KEEP];
    return `INSERT INTO ${this.quoteIdentifier(staging)} (${this.columnList([...names, FILE, ROW, ...keep])}) SELECT ${this.#rankedValues(settings).join(', ')} FROM ${parquetBatchSource(this, paths)}`;
  }

  /**
   * `stagePositions` of only the rows that lose to a newer row of their key (`KEEP` false), and of
   * the rows without a key value (which refuse the batch), for a keyed table: the insert needs
   * only the losers to leave them out, and where keys seldom repeat they are few, so staging stays
   * small (a position for every row of a 3M-row file held 150 MB of memory until the commit).
   * Two statements: the keys that repeat (or hold a NULL) are found by a hash aggregate of the key
   * columns alone, and only their rows are ranked. Ranking every row instead sorted every key and
   * version (the ranking alone, bench files, 2026-12-06: 3M rows with 5% repeated 250–260 → 224–227
   * MB peak, no slower; the 30-file batch 174 → 165 MB). `losersCensus` counts.
   */
  stageLosers(
    staging: string,
    settings: { keys: readonly string[]; version?: string | undefined },
    paths: readonly string[],
  ): [repeated: string, losers: string] {
    const q = (name: string) => this.quoteIdentifier(name);
    const { keys } = settings;
    const repeated = q(`${staging}_repeated`);
    const anyNull = (prefix: string) => keys.map((key) => `${prefix}${q(key)} IS NULL`).join(' OR ');
    const names = this.#positionColumns(settings);
    const values = this.#rankedValues(settings);
    // NULL keys match by IS NOT DISTINCT FROM, which DuckDB still joins by hash.
    const same = keys.map((key) => `r.${q(key)} IS NOT DISTINCT FROM p.${q(key)}`).join(' AND ');
    return [
      `CREATE TEMP TABLE ${repeated} AS SELECT ${this.columnList(keys)} FROM ${parquetFiles(this, paths)} GROUP BY ${this.columnList(keys)} HAVING count(*) > 1 OR ${anyNull('')}`,
      `INSERT INTO ${q(staging)} (${this.columnList([...names, FILE, ROW, KEEP])}) SELECT ${values.join(', ')} FROM ${parquetBatchSource(this, paths)} SEMI JOIN ${repeated} AS r ON ${same} QUALIFY NOT (${values.at(-1)}) OR ${anyNull('p.')}`,
    ];
  }

  /**
   * With `stageLosers`, the census (see `stagingCensus`): per file its rows, those without a key
   * value, and those kept. Where every file's footer declares its rows (`declared`, in batch
   * order), those are its rows and staging alone answers the rest; else the files' key columns are
   * read again.
   */
  losersCensus(
    staging: string,
    keys: readonly string[],
    paths: readonly string[],
    declared?: readonly (number | undefined)[],
  ): string {
    const q = (name: string) => this.quoteIdentifier(name);
    const nullKeys = (prefix: string) =>
      `sum(CASE WHEN ${keys.map((key) => `${prefix}${q(key)} IS NULL`).join(' OR ')} THEN 1 ELSE 0 END)`;
    const file = q(FILE);
    const counted = declared?.length === paths.length && declared.every((rows) => rows !== undefined);
    if (counted) {
      const rows = declared.map((count, ordinal) => `(${ordinal}, ${Number(count)})`).join(', ');
      return `SELECT c.batch_file, c.staged, coalesce(l.null_keys, 0) AS null_keys, c.staged - coalesce(l.losers, 0) AS kept FROM (VALUES ${rows}) AS c(batch_file, staged) LEFT JOIN (SELECT ${file} AS batch_file, count(*) FILTER (WHERE NOT ${q(KEEP)}) AS losers, ${nullKeys('')} AS null_keys FROM ${q(staging)} GROUP BY ${file}) AS l ON l.batch_file = c.batch_file`;
    }
    return `SELECT c.batch_file, c.staged, c.null_keys, c.staged - coalesce(l.losers, 0) AS kept FROM (SELECT b.ordinal AS batch_file, count(*) AS staged, ${nullKeys('p.')} AS null_keys FROM ${parquetBatchSource(this, paths)} GROUP BY b.ordinal) AS c LEFT JOIN (SELECT ${file} AS batch_file, count(*) FILTER (WHERE NOT ${q(KEEP)}) AS losers FROM ${q(staging)} GROUP BY ${file}) AS l ON l.batch_file = c.batch_file`;
  }

  /** A positions row's values: key and version columns, file, position, and (keyed) whether it is kept. */
  #rankedValues(settings: { keys: readonly string[]; version?: string | undefined }): string[] {
    const { keys, version } = settings;
    const row = batchRow('b.ordinal', 'p.file_row_number');
    return [
      ...this.#positionColumns(settings).map((name) => `p.${this.quoteIdentifier(name)}`),
      'b.ordinal',
      row,
      ...(keys.length === 0
        ? []
        : [
            `row_number() OVER (PARTITION BY ${this.columnList(keys, 'p.')} ORDER BY ${this.newestFirst(version, row, 'p.')}) = 1`,
          ]),
    ];
  }

  /**
   * Whether the table holds a row whose every key column lies within the batch's range of that
   * column (DuckDB answers the files' minimum and maximum from their footers' statistics): only
   * such a row can match a staged one. Where keys grow with time, a batch of new keys meets none
   * and loads as into an empty table, without staging every row or joining the stored ones. (It
   * reads every file's footer, some 20 ms for 30 files: an empty table is found by
   * `targetHasRows` first.)
   */
  override storedInRange(
    table: string,
    batch: { keys: readonly string[]; paths: readonly string[] },
  ): string | undefined {
    if (batch.keys.length === 0 || batch.paths.length === 0) return undefined;
    const bounds = batch.keys.flatMap((key, index) => [
      `min(${this.quoteIdentifier(key)}) AS lo${index}`,
      `max(${this.quoteIdentifier(key)}) AS hi${index}`,
    ]);
    const within = batch.keys
      .map((key, index) => `t.${this.quoteIdentifier(key)} BETWEEN r.lo${index} AND r.hi${index}`)
      .join(' AND ');
    return `SELECT count(*) AS stored FROM (SELECT 1 FROM ${this.quoteTable(table)} AS t, (SELECT ${bounds.join(', ')} FROM ${parquetFiles(this, batch.paths)}) AS r WHERE ${within} LIMIT 1) AS probe`;
  }

  /**
   * One join of the batch's kept rows (its files' key and version columns, less the staged
   * losers) with the stored rows, noted in a temporary table of only the matches: the later steps
   * read that note, which holds the replaced keys rather than the batch, instead of joining the
   * table for each step. (The note dies with the load's connection.)
   */
  override matchStored(
    staging: string,
    table: string,
    settings: { keys: readonly string[]; version?: string | undefined },
    paths: readonly string[],
  ): StoredMatch {
    const { keys, version } = settings;
    const q = (name: string) => this.quoteIdentifier(name);
    const note = `${staging}_matched`;
    const [row, file, older] = [q(ROW), q(FILE), q(OLDER)];
    const v = version ? q(version) : undefined;
    const position = batchRow('b.ordinal', 'p.file_row_number');
    const isOlder = v ? `(t.${v} > p.${v} OR (p.${v} IS NULL AND t.${v} IS NOT NULL))` : 'false';
    const keyed = (alias: string) => keys.map((key) => `${alias}.${q(key)} = p.${q(key)}`).join(' AND ');
    const olderRows = `SELECT ${row} FROM ${q(note)} WHERE ${older}`;
    // Replacing: every match of a kept row that no stored row is newer than.
    const replacing = v ? ` WHERE ${row} NOT IN (${olderRows})` : '';
    return {
      note,
      match: `CREATE TEMP TABLE ${q(note)} AS SELECT ${this.columnList(this.#positionColumns(settings), 'p.')}, b.ordinal AS ${file}, ${position} AS ${row}, ${isOlder} AS ${older} FROM ${parquetBatchSource(this, paths)} ANTI JOIN ${q(staging)} AS s ON s.${row} = ${position} AND ${keyed('s')} JOIN ${this.quoteTable(table)} AS t ON ${keyed('t')}`,
      ...(v
        ? {
            dropOlder: `SELECT ${file} AS batch_file, count(*) AS discarded FROM ${q(note)} WHERE ${older} GROUP BY ${file}`,
          }
        : {}),
      replacedPerFile: `SELECT ${file} AS batch_file, count(*) AS replaced FROM ${q(note)}${replacing} GROUP BY ${file}`,
      deleteReplaced: `DELETE FROM ${this.quoteTable(table)} AS t USING (SELECT * FROM ${q(note)}${replacing}) AS s WHERE ${this.keyMatch(keys)}`,
    };
  }

  /**
   * The rows staging kept, read again from the files (see `rankedRows`), less the rows of the
   * `older` note where one is named.
   */
  override insertKeptFromFiles(
    staging: string,
    table: string,
    columns: readonly string[],
    settings: { keys: readonly string[]; version?: string | undefined },
    paths: readonly string[],
    older?: string,
  ): string {
    return `INSERT INTO ${this.quoteTable(table)} (${this.columnList(columns)}) SELECT ${this.columnList(columns, 'p.')} FROM ${parquetBatchSource(this, paths)}${rankedRows(this, staging, settings, older)}`;
  }
}
