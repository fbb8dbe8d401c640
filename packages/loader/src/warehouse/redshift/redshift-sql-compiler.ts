// Redshift's SQL text: PostgreSQL's compiler with what Redshift does differently — byte-sized
// VARCHARs, SUPER for nested columns, table attributes, a mode-less LOCK, DELETE without aliases,
// GETDATE() instead of the deprecated CURRENT_TIMESTAMP — and the load as one batch of statements
// for BatchExecuteStatement (see `planBatch`). Every name and value goes through the one quoting
// pair below.
import { LoaderError } from '../../errors.js';
import { DEAD_LETTER_KEY, DEAD_LETTER_TABLE, LEDGER_TABLE, LedgerSql } from '../../ledger/ledger-sql.js';
import type { Column, ColumnType } from '../../schema/parquet.js';
import type { TableSettings } from '../dialect.js';
import { PostgresSqlCompiler } from '../postgres/postgres-sql-compiler.js';
import { geospatialRefused, UnsupportedTypeError } from '../sql-compiler.js';
import { redshiftCapabilities } from './redshift-adapter.js';

/** Redshift's widest VARCHAR, in bytes: every string column gets it (see the README's type table). */
const MAX_VARCHAR_BYTES = 65_535;
/** Redshift's widest VARBYTE, in bytes. */
const MAX_VARBYTE_BYTES = 1_024_000;
/** Identifiers are at most 127 bytes of UTF-8. */
const MAX_IDENTIFIER_BYTES = 127;

/** VARCHAR lengths count bytes: a UTF-8 character takes up to 4. */
function varchar(chars: number): string {
  return `VARCHAR(${Math.min(MAX_VARCHAR_BYTES, chars * 4)})`;
}

/** The table attributes of every table the loader creates: Redshift chooses and adapts them. */
const TABLE_ATTRIBUTES = 'DISTSTYLE AUTO SORTKEY AUTO ENCODE AUTO';

/** The ledger and dead letters on Redshift: byte-sized text, GETDATE(), and each row's batch. */
class RedshiftLedgerSql extends LedgerSql {
  protected override text(chars: number): string {
    return varchar(chars);
  }

  protected override timestamp(): string {
    return 'TIMESTAMP';
  }

  /**
   * As everywhere, plus `batch_id`: the load batch that wrote the row, which is how a loader tells,
   * after its batch committed, its own rows from a concurrent loader's (see `planBatch`).
   */
  override createLedger(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.q.quoteTable(LEDGER_TABLE)} (
  object_uri ${varchar(2048)} NOT NULL,
  object_identity ${varchar(256)} NOT NULL,
  target_table ${varchar(512)} NOT NULL,
  status ${varchar(16)} NOT NULL,
  rows_inserted BIGINT NOT NULL,
  rows_updated BIGINT NOT NULL,
  rows_unchanged BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  error ${varchar(4000)},
  batch_id ${varchar(64)},
  recorded_at TIMESTAMP NOT NULL DEFAULT GETDATE()
) ${TABLE_ATTRIBUTES}`;
  }

  override createDeadLetters(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.q.quoteTable(DEAD_LETTER_TABLE)} (
  object_uri ${varchar(2048)} NOT NULL,
  object_identity ${varchar(256)} NOT NULL,
  ${DEAD_LETTER_KEY} ${varchar(1024)},
  target_table ${varchar(512)},
  error ${varchar(4000)} NOT NULL,
  tip ${varchar(1024)} NOT NULL,
  failed_at TIMESTAMP NOT NULL DEFAULT GETDATE(),
  replayed_at TIMESTAMP
) ${TABLE_ATTRIBUTES}`;
  }

  override markReplayed(objectUri: string, identity: string): string {
    const q = this.q;
    return `UPDATE ${q.quoteTable(DEAD_LETTER_TABLE)} SET replayed_at = GETDATE() WHERE object_uri = ${q.quoteLiteral(objectUri)} AND object_identity = ${q.quoteLiteral(identity)} AND replayed_at IS NULL`;
  }
}

/** One file of a batch as the plan needs it. */
export interface BatchFile {
  objectUri: string;
  identity: string;
  /** `s3://bucket/key` of the exact object COPY reads. */
  url: string;
  /** The object's size in bytes: Parquet manifests need it as `meta.content_length`. */
  size: number;
  /** Where this file's one-entry manifest is written (`s3://bucket/prefix/<batch>-<n>.manifest`). */
  manifestUrl: string;
  /** Rows its footer declares: the batch fails unless COPY staged exactly these. */
  rows?: number;
}

/** Everything `planBatch` needs; all of it data, so the plan is a pure function of it. */
export interface BatchInput {
  /** Names this batch in the ledger (`batch_id`) and in the manifests' keys; [a-z0-9]+. */
  batchId: string;
  table: string;
  settings: TableSettings;
  /** The files' columns, in file order (identical for every file of a batch). */
  columns: readonly Column[];
  /** Oldest first: among rows of one key and equal versions, the newest file's row wins. */
  files: readonly BatchFile[];
  /** `IAM_ROLE` for COPY: an ARN, or `default`. */
  copyRoleArn: string;
  /**
   * Lock the ledger too, before the target (one order for every loader, so no deadlock): under
   * SERIALIZABLE isolation, loads of different tables that all read and insert the ledger
   * otherwise abort each other with 1023. It serializes every load of the database.
   */
  lockLedger?: boolean;
}

/** What each statement of a batch does: a failed sub-statement is explained by its step. */
export type BatchStep =
  | 'lock'
  | 'ledger-check'
  | 'file'
  | 'copy'
  | 'stage'
  | 'row-counts'
  | 'null-keys'
  | 'ties'
  | 'dedupe'
  | 'drop-older'
  | 'count'
  | 'delete-replaced'
  | 'insert'
  | 'ledger';

/** One statement of a batch, with the step it performs. */
export interface BatchStatement {
  step: BatchStep;
  sql: string;
}

/** A manifest to write before the batch runs: one exact object, so COPY cannot read `x.parquet.bak`. */
interface BatchManifest {
  url: string;
  body: string;
}

/** A planned load: the batch's statements and the manifests they COPY from. */
export interface BatchPlan {
  /** The statements of one BatchExecuteStatement, in order: one transaction. */
  statements: BatchStatement[];
  /** One per file, in file order. */
  manifests: BatchManifest[];
}

/** A batch that does not fit the Data API's limits; the driver loads its files in smaller batches. */
export class BatchTooLargeError extends LoaderError {
  override name = 'BatchTooLargeError';
}

// Temporary tables live for the batch's session only (every Data API call is a fresh session).
// Their names start with `__lakeload_`, which no target table may use: a temp table would shadow it.
const SEEN = '__lakeload_seen';
const STAGE = '__lakeload_stage';
const KEPT = '__lakeload_kept';
const COUNTS = '__lakeload_counts';
const RANK = '__lakeload_rank';
/** Staging's column holding each row's file: its ordinal in the batch, oldest 0. */
const FILE = '__lakeload_file';
const RESERVED_PREFIX = '__lakeload_';

/** The temp table one file is copied into before staging (COPY cannot say which file a row came from). */
function fileTable(ordinal: number): string {
  return `${FILE}_${ordinal}`;
}

/** Redshift's SQL: PostgreSQL's compiler, overriding only what Redshift does differently. */
export class RedshiftSqlCompiler extends PostgresSqlCompiler {
  override readonly ledger: LedgerSql = new RedshiftLedgerSql(this);

  /** As PostgreSQL's, and at most 127 bytes, Redshift's limit (longer names fail with a clear message). */
  override quoteIdentifier(name: string): string {
    if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
      throw new LoaderError(
        `identifier ${JSON.stringify(name.slice(0, 40))}… is ${Buffer.byteLength(name)} bytes; Redshift allows ${MAX_IDENTIFIER_BYTES}. Rename the column or route the file to a shorter table name`,
      );
    }
    return super.quoteIdentifier(name);
  }

  /**
   * Whether Redshift reads a backslash in '…' as an escape is a setting of the engine (older
   * PostgreSQL did); to be safe either way, a backslash is never written inside quotes but joined
   * as CHR(92), which reads the same everywhere. Quotes are doubled, NUL is refused.
   */
  override quoteLiteral(value: string): string {
    if (!value.includes('\\')) return super.quoteLiteral(value);
    const parts = value.split('\\').map((part) => super.quoteLiteral(part));
    return `(${parts.join(' || CHR(92) || ')})`;
  }

  /** A literal where SQL allows no expression (COPY's source and role): backslashes are refused. */
  plainLiteral(value: string, what: string): string {
    if (value.includes('\\'))
      throw new LoaderError(`${what} ${JSON.stringify(value)} contains a backslash; use one without`);
    return super.quoteLiteral(value);
  }

  /**
   * Redshift's types (the README's type table): booleans, integers (unsigned one size up, uint64 →
   * DECIMAL(20,0)), REAL/DOUBLE PRECISION, DECIMAL(p,s) up to 38 digits, every string and JSON text
   * as VARCHAR(65535) — the widest, because a Parquet footer does not promise the longest value and
   * COPY from Parquet cannot truncate —, VARBYTE for variable binary, DATE, TIMESTAMP(TZ), nested
   * columns as SUPER (COPY … SERIALIZETOJSON). Refused before any COPY: TIME, nanosecond timestamps,
   * fixed-width binary (UUID, FLOAT16), intervals, wider decimals.
   */
  override columnType(type: ColumnType, column: string): string {
    switch (type.kind) {
      case 'boolean':
        return 'BOOLEAN';
      case 'int': {
        if (!type.signed && type.bits === 64) return 'DECIMAL(20,0)';
        const bits = type.signed ? type.bits : type.bits * 2;
        return bits <= 16 ? 'SMALLINT' : bits <= 32 ? 'INTEGER' : 'BIGINT';
      }
      case 'float':
        if (type.bits === 16) {
          throw refused(
            column,
            'a half float (FLOAT16, 2-byte fixed-width binary), which COPY from Parquet cannot load. Write it as FLOAT',
          );
        }
        return type.bits === 32 ? 'REAL' : 'DOUBLE PRECISION';
      case 'decimal':
        if (type.precision > 38) {
          throw refused(
            column,
            `decimal(${type.precision},${type.scale}); Redshift holds at most 38 digits. Write it as decimal(38,s) or as a string`,
          );
        }
        return `DECIMAL(${type.precision},${type.scale})`;
      case 'string':
      case 'json':
        return `VARCHAR(${MAX_VARCHAR_BYTES})`;
      case 'uuid':
        throw refused(
          column,
          'a UUID (16-byte fixed-width binary), which COPY from Parquet cannot load. Write it as a string',
        );
      case 'binary':
        if (type.geospatial) throw geospatialRefused(column, type.geospatial);
        if (type.fixedLength !== undefined) {
          throw refused(
            column,
            `fixed-width binary (${type.fixedLength} bytes), which COPY from Parquet cannot load into VARBYTE. Write it as variable-length binary or as a hex string`,
          );
        }
        return `VARBYTE(${MAX_VARBYTE_BYTES})`;
      case 'date':
        return 'DATE';
      case 'time':
        throw refused(column, 'a time of day; COPY from Parquet cannot load TIME. Write it as a string');
      case 'timestamp':
        if (type.unit === 'nanos') {
          throw refused(
            column,
            'a timestamp in nanoseconds, which Redshift loads as absurd dates. Write the file with microsecond timestamps',
          );
        }
        return type.utc ? 'TIMESTAMPTZ' : 'TIMESTAMP';
      case 'interval':
        throw refused(
          column,
          'an interval, which COPY from Parquet cannot load. Write it as a number of seconds',
        );
      case 'nested':
        if (type.variant)
          throw refused(
            column,
            'a VARIANT, which COPY from Parquet cannot load into SUPER. Write it as JSON text',
          );
        return 'SUPER';
    }
  }

  override createTable(table: string, columns: readonly Column[]): string {
    return `${super.createTable(table, columns)} ${TABLE_ATTRIBUTES}`;
  }

  /**
   * Redshift changes a column's type in place only for VARCHAR lengths, and every string here is
   * already the widest; other widenings need the table rebuilt, which the loader does not do.
   */
  override widenColumn(table: string, column: string, type: ColumnType): string {
    throw new UnsupportedTypeError(
      `${table}.${column} would have to become ${this.columnType(type, column)}; Redshift cannot change a column's type in place. Rebuild the table with the wider type (CREATE TABLE … AS, then rename), or write the file with the table's type`,
    );
  }

  /** Redshift's LOCK has no modes: it blocks other writers and readers of the table until commit. */
  override lockTable(table: string): string {
    return `LOCK TABLE ${this.quoteTable(table)}`;
  }

  /** Redshift's DELETE takes no alias for its target: columns are qualified by the quoted names. */
  override dropOlderVersions(
    staging: string,
    table: string,
    keys: readonly string[],
    version: string,
  ): string {
    const s = this.quoteIdentifier(staging);
    const t = this.quoteTable(table);
    const v = this.quoteIdentifier(version);
    return `DELETE FROM ${s} USING ${t} WHERE ${this.match(t, s, keys)} AND (${t}.${v} > ${s}.${v} OR (${s}.${v} IS NULL AND ${t}.${v} IS NOT NULL))`;
  }

  override deleteReplaced(staging: string, table: string, keys: readonly string[]): string {
    const s = this.quoteIdentifier(staging);
    const t = this.quoteTable(table);
    return `DELETE FROM ${t} USING ${s} WHERE ${this.match(t, s, keys)}`;
  }

  /** `left.k = right.k AND …` for quoted table names. */
  protected match(left: string, right: string, keys: readonly string[]): string {
    return keys
      .map((key) => `${left}.${this.quoteIdentifier(key)} = ${right}.${this.quoteIdentifier(key)}`)
      .join(' AND ');
  }

  /** A manifest naming exactly this object, so that COPY cannot also read `x.parquet.bak`. */
  manifest(file: BatchFile): string {
    return JSON.stringify({
      entries: [{ url: file.url, mandatory: true, meta: { content_length: file.size } }],
    });
  }

  /** COPY of a manifest's objects into a table: Parquet columns by position, one bad value fails it. */
  copyFromManifest(table: string, manifestUrl: string, copyRoleArn: string, nested: boolean): string {
    const role = copyRoleArn === 'default' ? 'default' : this.plainLiteral(copyRoleArn, 'the COPY role');
    return `COPY ${this.quoteIdentifier(table)} FROM ${this.plainLiteral(manifestUrl, 'the manifest URL')} IAM_ROLE ${role} FORMAT AS PARQUET${nested ? ' SERIALIZETOJSON' : ''} MANIFEST`;
  }

  /** `(object_uri = … AND object_identity = …) OR …` over a batch's files. */
  protected filesMatch(files: readonly { objectUri: string; identity: string }[]): string {
    return files
      .map(
        (file) =>
          `(object_uri = ${this.quoteLiteral(file.objectUri)} AND object_identity = ${this.quoteLiteral(file.identity)})`,
      )
      .join(' OR ');
  }

  /** The loaded ledger rows of these files, with the batch that wrote each: before and after a batch. */
  ledgerRowsOf(files: readonly { objectUri: string; identity: string }[]): string {
    return `SELECT object_uri, object_identity, batch_id, rows_inserted, rows_updated, rows_unchanged FROM ${this.quoteTable(LEDGER_TABLE)} WHERE status = 'loaded' AND (${this.filesMatch(files)})`;
  }

  /**
   * The load of a batch of files as the statements of ONE BatchExecuteStatement (one transaction,
   * no reads in between — the Data API cannot branch):
   *
   * 1. LOCK the target: writers of the table queue from here to commit (so do its readers: "LOCK
   *    causes reads and writes on the table to wait", https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html).
   *    Under SERIALIZABLE isolation the ledger is locked first (see `lockLedger`).
   * 2. Count the batch's files already in the ledger into a temp table. Every statement that writes
   *    the target or the ledger is guarded by "that count is 0", so a batch that lost a race with
   *    another loader changes nothing and commits harmlessly; the driver then reads the ledger by
   *    batch id to tell its loaded files from duplicates.
   * 3. Each file COPYed into a temp table of its own (the files' columns in file order, + SERIALIZETOJSON
   *    for SUPER columns) over a manifest of its one object, then staging as their union with each
   *    row's file: COPY itself cannot say which file a row came from, and the per-file counts and
   *    the tie rule need it. Each file must stage exactly the rows its footer declares.
   * 4. Keyed tables: a row without a key fails the batch (a statement that raises an error only
   *    then). The newest row per key is kept: the greatest version, and among equal versions (or
   *    without a version column) the newest file's. COPY keeps no row order within a file, so two
   *    rows of one key that tie within one file fail the batch instead of being chosen at random.
   *    Versioned: rows older than the stored row are dropped.
   * 5. Counts per file for the ledger, delete the replaced rows, insert, and the ledger rows (one per
   *    file, split over statements that stay under the Data API's statement size). No TRUNCATE
   *    anywhere: it would commit.
   */
  planBatch(input: BatchInput): BatchPlan {
    const { table, columns, files } = input;
    const { keys, version } = input.settings;
    if (table.startsWith(RESERVED_PREFIX)) {
      throw new LoaderError(
        `table ${JSON.stringify(table)} starts with ${RESERVED_PREFIX}, which the loader reserves for its temporary tables; route the file to another name`,
      );
    }
    const reserved = columns.find((column) => column.name === FILE);
    if (reserved) {
      throw new LoaderError(
        `column ${JSON.stringify(reserved.name)} is reserved by the loader for the file of each staged row; rename it in the file`,
      );
    }
    if (!/^[a-z0-9]{1,64}$/.test(input.batchId))
      throw new LoaderError(`batch id ${JSON.stringify(input.batchId)} must be 1-64 of [a-z0-9]`);
    if (files.length === 0) throw new LoaderError('a batch needs at least one file');
    if (keys.length === 0 && version !== undefined)
      throw new LoaderError(`${table}: a version column (${version}) needs keys to compare rows by`);
    const t = this.quoteTable(table);
    const seen = this.quoteIdentifier(SEEN);
    const stage = this.quoteIdentifier(STAGE);
    const counts = this.quoteIdentifier(COUNTS);
    const file = this.quoteIdentifier(FILE);
    const guard = `(SELECT loaded FROM ${seen}) = 0`;
    const names = columns.map((column) => column.name);
    const list = this.columnList(names);
    const nested = columns.some((column) => column.type.kind === 'nested');

    const statements: BatchStatement[] = [
      {
        step: 'lock',
        sql: input.lockLedger
          ? `LOCK TABLE ${this.quoteIdentifier(LEDGER_TABLE)}, ${t}`
          : this.lockTable(table),
      },
      {
        step: 'ledger-check',
        sql: `CREATE TEMP TABLE ${seen} AS SELECT count(*) AS loaded FROM ${this.quoteTable(LEDGER_TABLE)} WHERE status = 'loaded' AND (${this.filesMatch(files)})`,
      },
    ];
    for (const [ordinal, each] of files.entries()) {
      statements.push(
        { step: 'file', sql: this.createTempTable(fileTable(ordinal), columns) },
        {
          step: 'copy',
          sql: this.copyFromManifest(fileTable(ordinal), each.manifestUrl, input.copyRoleArn, nested),
        },
      );
    }
    // Every file's rows with its ordinal: `*` is the file's columns in file order.
    const union = files
      .map((_, ordinal) => `SELECT ${ordinal} AS ${file}, * FROM ${this.quoteIdentifier(fileTable(ordinal))}`)
      .join(' UNION ALL ');
    statements.push({ step: 'stage', sql: `CREATE TEMP TABLE ${stage} AS ${union}` });
    // Rows staged per file, counted on the file's own table so that a file with none still counts.
    const stagedPerFile = files
      .map(
        (_, ordinal) =>
          `SELECT ${ordinal} AS ${file}, count(*) AS staged FROM ${this.quoteIdentifier(fileTable(ordinal))}`,
      )
      .join(' UNION ALL ');
    const declared = files.flatMap((each, ordinal) =>
      each.rows === undefined ? [] : [`(${file} = ${ordinal} AND staged <> ${Math.trunc(each.rows)})`],
    );
    if (declared.length > 0) {
      statements.push({
        step: 'row-counts',
        sql: `SELECT ${this.failWhen('files whose staged rows differ from their footers')} AS refused FROM (${stagedPerFile}) AS per_file WHERE ${declared.join(' OR ')}`,
      });
    }
    // Staged rows that will be written: all of them, or the newest per key.
    let kept = stage;
    if (keys.length > 0) {
      const keyList = this.columnList(keys);
      const anyNull = keys.map((key) => `${this.quoteIdentifier(key)} IS NULL`).join(' OR ');
      // Newest first: the greatest version (none last), then the newest file.
      const newest = [
        ...(version === undefined ? [] : [`${this.quoteIdentifier(version)} DESC NULLS LAST`]),
        `${file} DESC`,
      ].join(', ');
      kept = this.quoteIdentifier(KEPT);
      const rank = this.quoteIdentifier(RANK);
      statements.push(
        {
          step: 'null-keys',
          sql: `SELECT ${this.failWhen('rows without a key value')} AS refused FROM ${stage} WHERE ${anyNull}`,
        },
        {
          step: 'ties',
          sql: `SELECT ${this.failWhen('rows of one key that tie in one file')} AS refused FROM (SELECT 1 AS tied FROM (SELECT ${keyList}, rank() OVER (PARTITION BY ${keyList} ORDER BY ${newest}) AS ${rank} FROM ${stage}) AS ranked WHERE ${rank} = 1 GROUP BY ${keyList} HAVING count(*) > 1) AS ties`,
        },
        {
          step: 'dedupe',
          sql: `CREATE TEMP TABLE ${kept} AS SELECT ${file}, ${list} FROM (SELECT ${file}, ${list}, row_number() OVER (PARTITION BY ${keyList} ORDER BY ${newest}) AS ${rank} FROM ${stage}) AS ranked WHERE ${rank} = 1`,
        },
      );
      if (version !== undefined)
        statements.push({ step: 'drop-older', sql: this.dropOlderVersions(KEPT, table, keys, version) });
    }
    // One row per file: staged, kept (written) and replaced (stored rows it replaces).
    const keptPerFile = `SELECT ${file}, count(*) AS kept FROM ${kept} GROUP BY ${file}`;
    const replacedPerFile =
      keys.length === 0
        ? undefined
        : `SELECT ${kept}.${file}, count(*) AS replaced FROM ${t} JOIN ${kept} ON ${this.match(t, kept, keys)} GROUP BY ${kept}.${file}`;
    statements.push({
      step: 'count',
      sql: `CREATE TEMP TABLE ${counts} AS SELECT s.${file}, s.staged, coalesce(k.kept, 0) AS kept, ${replacedPerFile === undefined ? 'CAST(0 AS BIGINT)' : 'coalesce(r.replaced, 0)'} AS replaced FROM (${stagedPerFile}) AS s LEFT JOIN (${keptPerFile}) AS k ON k.${file} = s.${file}${replacedPerFile === undefined ? '' : ` LEFT JOIN (${replacedPerFile}) AS r ON r.${file} = s.${file}`}`,
    });
    if (keys.length > 0) {
      statements.push({
        step: 'delete-replaced',
        sql: `DELETE FROM ${t} USING ${kept} WHERE ${this.match(t, kept, keys)} AND ${guard}`,
      });
    }
    statements.push({
      step: 'insert',
      sql: `INSERT INTO ${t} (${list}) SELECT ${list} FROM ${kept} WHERE ${guard}`,
    });
    statements.push(...this.#ledgerInserts(input, counts, guard));

    const limits = redshiftCapabilities;
    if (statements.length > limits.maxStatements) {
      throw new BatchTooLargeError(
        `the batch needs ${statements.length} statements; the Data API runs at most ${limits.maxStatements}`,
      );
    }
    for (const statement of statements) {
      const bytes = Buffer.byteLength(statement.sql);
      if (bytes > limits.maxStatementBytes) {
        throw new BatchTooLargeError(
          `the batch's ${statement.step} statement is ${bytes} bytes; the Data API takes at most ${limits.maxStatementBytes}`,
        );
      }
    }
    return {
      statements,
      manifests: files.map((each) => ({ url: each.manifestUrl, body: this.manifest(each) })),
    };
  }

  /**
   * An expression that is 0 over an empty set and otherwise fails the statement (and with it the
   * transaction): the text cast to INTEGER cannot parse. It depends on count(*), so no planner folds
   * it early; the driver names the failure by the statement's step, whatever the engine's wording.
   */
  protected failWhen(reason: string): string {
    return `CAST(CASE WHEN count(*) = 0 THEN '0' ELSE ${this.quoteLiteral(`lakeload refuses the batch: ${reason}: `)} || CAST(count(*) AS VARCHAR) END AS INTEGER)`;
  }

  /** A temp table of the files' own columns in file order (COPY matches Parquet columns by position). */
  protected createTempTable(name: string, columns: readonly Column[]): string {
    const definitions = columns.map(
      (column) => `${this.quoteIdentifier(column.name)} ${this.columnType(column.type, column.name)}`,
    );
    return `CREATE TEMP TABLE ${this.quoteIdentifier(name)} (${definitions.join(', ')})`;
  }

  /**
   * One ledger row per file, with that file's own counts. Rows are grouped into as few INSERTs as
   * fit the Data API's statement size each.
   */
  #ledgerInserts(input: BatchInput, counts: string, guard: string): BatchStatement[] {
    const head = `INSERT INTO ${this.quoteTable(LEDGER_TABLE)} (object_uri, object_identity, target_table, status, rows_inserted, rows_updated, rows_unchanged, duration_ms, batch_id) `;
    const file = this.quoteIdentifier(FILE);
    const rows = input.files.map(
      (each, ordinal) =>
        `SELECT ${this.quoteLiteral(each.objectUri)}, ${this.quoteLiteral(each.identity)}, ${this.quoteLiteral(input.table)}, 'loaded', kept - replaced, replaced, staged - kept, 0, ${this.quoteLiteral(input.batchId)} FROM ${counts} WHERE ${file} = ${ordinal} AND ${guard}`,
    );
    const budget = redshiftCapabilities.maxStatementBytes;
    const statements: BatchStatement[] = [];
    let group: string[] = [];
    const flush = () => {
      if (group.length > 0) statements.push({ step: 'ledger', sql: head + group.join(' UNION ALL ') });
      group = [];
    };
    for (const row of rows) {
      const candidate = head + [...group, row].join(' UNION ALL ');
      if (group.length > 0 && Buffer.byteLength(candidate) > budget) flush();
      group.push(row);
    }
    flush();
    return statements;
  }
}

function refused(column: string, what: string): UnsupportedTypeError {
  return new UnsupportedTypeError(`column "${column}" is ${what}`);
}
