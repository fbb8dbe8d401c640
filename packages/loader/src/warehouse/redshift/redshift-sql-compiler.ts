// Redshift's SQL text: PostgreSQL's compiler with what Redshift does differently — byte-sized
// VARCHARs, SUPER for nested columns, table attributes, a mode-less LOCK, DELETE without aliases,
// GETDATE() instead of the deprecated CURRENT_TIMESTAMP — and the text of each step of a load sent
// as one BatchExecuteStatement (`batch`; which steps run, in which order, is plan/'s). Every name and
// value goes through the one quoting pair below.
import { LoaderError } from '../../errors.js';
import { DEAD_LETTER_KEY, DEAD_LETTER_TABLE, LEDGER_TABLE, LedgerSql } from '../../ledger/ledger-sql.js';
import type {
  BatchContext,
  BatchMergeFile,
  BatchMergeInput,
  BatchSql,
  BatchStatement as PlannedStatement,
} from '../../plan/batch-merge.js';
import type { MergeStep } from '../../plan/merge-steps.js';
import type { Column, ColumnType } from '../../schema/parquet.js';
import { PostgresSqlCompiler } from '../postgres/postgres-sql-compiler.js';
import { geospatialRefused, UnsupportedTypeError } from '../sql-compiler.js';
import { STAGED_FILE_COLUMN, STAGED_RANK_COLUMN, TEMP_TABLE_PREFIX } from './redshift-adapter.js';

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
   * after its batch committed, its own rows from a concurrent loader's (see `batch`).
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
export interface BatchFile extends BatchMergeFile {
  /** `s3://bucket/key` of the exact object COPY reads. */
  url: string;
  /** The object's size in bytes: Parquet manifests need it as `meta.content_length`. */
  size: number;
  /** Where this file's one-entry manifest is written (`s3://bucket/prefix/<batch>-<n>.manifest`). */
  manifestUrl: string;
}

/** Everything a Redshift batch's plan needs; all of it data, so the plan is a pure function of it. */
export interface BatchInput extends BatchMergeInput {
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

/** Redshift's own parts of staging: each file's temp table, and its COPY. */
type StagingPart = 'file' | 'copy';

/** What each statement of a batch does: a failed sub-statement is explained by its step. */
export type BatchStep = MergeStep | StagingPart;

/** One statement of a batch, with the step it performs. */
export type BatchStatement = PlannedStatement<StagingPart>;

// The temp tables of a load (see TEMP_TABLE_PREFIX).
const SEEN = `${TEMP_TABLE_PREFIX}seen`;
const STAGE = `${TEMP_TABLE_PREFIX}stage`;
const KEPT = `${TEMP_TABLE_PREFIX}kept`;
const COUNTS = `${TEMP_TABLE_PREFIX}counts`;
const RANK = STAGED_RANK_COLUMN;
const FILE = STAGED_FILE_COLUMN;

/** The temp table one file is copied into before staging (COPY cannot say which file a row came from). */
function fileTable(ordinal: number): string {
  return `${FILE}_${ordinal}`;
}

/** Redshift's SQL: PostgreSQL's compiler, overriding only what Redshift does differently. */
export class RedshiftSqlCompiler extends PostgresSqlCompiler {
  override readonly ledger: LedgerSql = new RedshiftLedgerSql(this);
  /** The text of each step of a load batch (plan/batch-merge.ts plans them). */
  readonly batch: BatchSql<BatchInput, StagingPart> = this.#batchSql();

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
   * The statements of a load as ONE BatchExecuteStatement (one transaction, nothing read in
   * between; plan/batch-merge.ts orders them by plan/merge-steps.ts's rule):
   *
   * - lock: writers of the table queue from here to commit (so do its readers: "LOCK causes reads
   *   and writes on the table to wait", https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html);
   *   under SERIALIZABLE isolation the ledger is locked first (see `lockLedger`).
   * - ledger check: the batch's files already in the ledger, counted into a temp table that the
   *   guard of every write reads; the driver then reads the ledger by batch id to tell its loaded
   *   files from duplicates.
   * - stage: each file COPYed into a temp table of its own (the files' columns in file order,
   *   SERIALIZETOJSON for SUPER columns) over a manifest of its one object, then staging as their
   *   union with each row's file. The refusals are statements that fail only when they find rows.
   * - newest per key: the greatest version (none last), then the newest file.
   * - counts per file for the ledger, delete, insert, the ledger rows. No TRUNCATE anywhere: it
   *   would commit.
   */
  #batchSql(): BatchSql<BatchInput, StagingPart> {
    const file = this.quoteIdentifier(FILE);
    const stage = this.quoteIdentifier(STAGE);
    const counts = this.quoteIdentifier(COUNTS);
    const rank = this.quoteIdentifier(RANK);
    const written = (context: BatchContext) => this.quoteIdentifier(context.deduped ? KEPT : STAGE);
    // Rows staged per file, counted on the file's own table so that a file with none still counts.
    const stagedPerFile = (input: BatchInput) =>
      input.files
        .map(
          (_, ordinal) =>
            `SELECT ${ordinal} AS ${file}, count(*) AS staged FROM ${this.quoteIdentifier(fileTable(ordinal))}`,
        )
        .join(' UNION ALL ');
    const keyList = (input: BatchInput) => this.columnList(input.settings.keys);
    const list = (input: BatchInput) => this.columnList(input.columns.map((column) => column.name));
    // Newest first: the greatest version (none last), then the newest file.
    const newest = ({ settings: { version } }: BatchInput) =>
      [
        ...(version === undefined ? [] : [`${this.quoteIdentifier(version)} DESC NULLS LAST`]),
        `${file} DESC`,
      ].join(', ');
    return {
      lock: (input) =>
        input.lockLedger
          ? `LOCK TABLE ${this.quoteIdentifier(LEDGER_TABLE)}, ${this.quoteTable(input.table)}`
          : this.lockTable(input.table),
      ledgerCheck: (input) =>
        `CREATE TEMP TABLE ${this.quoteIdentifier(SEEN)} AS SELECT count(*) AS loaded FROM ${this.quoteTable(LEDGER_TABLE)} WHERE status = 'loaded' AND (${this.filesMatch(input.files)})`,
      guard: () => `(SELECT loaded FROM ${this.quoteIdentifier(SEEN)}) = 0`,
      stage: (input) => {
        const nested = input.columns.some((column) => column.type.kind === 'nested');
        // Every file's rows with its ordinal: `*` is the file's columns in file order.
        const union = input.files
          .map(
            (_, ordinal) =>
              `SELECT ${ordinal} AS ${file}, * FROM ${this.quoteIdentifier(fileTable(ordinal))}`,
          )
          .join(' UNION ALL ');
        return [
          ...input.files.flatMap((each, ordinal) => [
            { step: 'file' as const, sql: this.createTempTable(fileTable(ordinal), input.columns) },
            {
              step: 'copy' as const,
              sql: this.copyFromManifest(fileTable(ordinal), each.manifestUrl, input.copyRoleArn, nested),
            },
          ]),
          { step: 'stage' as const, sql: `CREATE TEMP TABLE ${stage} AS ${union}` },
        ];
      },
      rowCounts: (input) => {
        const declared = input.files.flatMap((each, ordinal) =>
          each.rows === undefined ? [] : [`(${file} = ${ordinal} AND staged <> ${Math.trunc(each.rows)})`],
        );
        return `SELECT ${this.failWhen('files whose staged rows differ from their footers')} AS refused FROM (${stagedPerFile(input)}) AS per_file WHERE ${declared.join(' OR ')}`;
      },
      nullKeys: (input) => {
        const anyNull = input.settings.keys.map((key) => `${this.quoteIdentifier(key)} IS NULL`).join(' OR ');
        return `SELECT ${this.failWhen('rows without a key value')} AS refused FROM ${stage} WHERE ${anyNull}`;
      },
      ties: (input) =>
        `SELECT ${this.failWhen('rows of one key that tie in one file')} AS refused FROM (SELECT 1 AS tied FROM (SELECT ${keyList(input)}, rank() OVER (PARTITION BY ${keyList(input)} ORDER BY ${newest(input)}) AS ${rank} FROM ${stage}) AS ranked WHERE ${rank} = 1 GROUP BY ${keyList(input)} HAVING count(*) > 1) AS ties`,
      dedupe: (input) =>
        `CREATE TEMP TABLE ${this.quoteIdentifier(KEPT)} AS SELECT ${file}, ${list(input)} FROM (SELECT ${file}, ${list(input)}, row_number() OVER (PARTITION BY ${keyList(input)} ORDER BY ${newest(input)}) AS ${rank} FROM ${stage}) AS ranked WHERE ${rank} = 1`,
      dropOlder: ({ table, settings: { keys, version } }) => {
        if (version === undefined)
          throw new LoaderError(`${table}: no version column to compare stored rows by`);
        return this.dropOlderVersions(KEPT, table, keys, version);
      },
      count: (input, context) => {
        const t = this.quoteTable(input.table);
        const kept = written(context);
        // One row per file: staged, kept (written) and replaced (stored rows it replaces).
        const keptPerFile = `SELECT ${file}, count(*) AS kept FROM ${kept} GROUP BY ${file}`;
        const replacedPerFile = context.replaces
          ? `SELECT ${kept}.${file}, count(*) AS replaced FROM ${t} JOIN ${kept} ON ${this.match(t, kept, input.settings.keys)} GROUP BY ${kept}.${file}`
          : undefined;
        return `CREATE TEMP TABLE ${counts} AS SELECT s.${file}, s.staged, coalesce(k.kept, 0) AS kept, ${replacedPerFile === undefined ? 'CAST(0 AS BIGINT)' : 'coalesce(r.replaced, 0)'} AS replaced FROM (${stagedPerFile(input)}) AS s LEFT JOIN (${keptPerFile}) AS k ON k.${file} = s.${file}${replacedPerFile === undefined ? '' : ` LEFT JOIN (${replacedPerFile}) AS r ON r.${file} = s.${file}`}`;
      },
      deleteReplaced: (input, context) => {
        const t = this.quoteTable(input.table);
        const kept = written(context);
        return `DELETE FROM ${t} USING ${kept} WHERE ${this.match(t, kept, input.settings.keys)} AND ${context.guard}`;
      },
      insert: (input, context) =>
        `INSERT INTO ${this.quoteTable(input.table)} (${list(input)}) SELECT ${list(input)} FROM ${written(context)} WHERE ${context.guard}`,
      ledgerRow: (input, each, ordinal, context) => {
        return `SELECT ${this.quoteLiteral(each.objectUri)}, ${this.quoteLiteral(each.identity)}, ${this.quoteLiteral(input.table)}, 'loaded', kept - replaced, replaced, staged - kept, 0, ${this.quoteLiteral(input.batchId)} FROM ${counts} WHERE ${file} = ${ordinal} AND ${context.guard}`;
      },
      ledgerInsert: (rows) =>
        `INSERT INTO ${this.quoteTable(LEDGER_TABLE)} (object_uri, object_identity, target_table, status, rows_inserted, rows_updated, rows_unchanged, duration_ms, batch_id) ${rows.join(' UNION ALL ')}`,
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
}

function refused(column: string, what: string): UnsupportedTypeError {
  return new UnsupportedTypeError(`column "${column}" is ${what}`);
}
