// The ledger stage's SQL: the load history (one row per object load, written in the load's own
// transaction) and the dead letters (objects that failed for good). Every name and value goes
// through the compiler's one quoting function.
import type { SqlQuoting } from '../warehouse/sql-compiler.js';

/** The ledger table, one row per object load attempt, kept in the warehouse itself. */
export const LEDGER_TABLE = 'lakeload_load_history';
/** Objects that failed for good, with the error and a tip, until a replay loads them. */
export const DEAD_LETTER_TABLE = 'lakeload_dead_letters';

/** The dead letters' column holding the object's key (added after the table's first release). */
export const DEAD_LETTER_KEY = 'object_key';

/** Errors are cut to this many characters in the ledger and the dead letters. */
const ERROR_CHARS = 4000;

export interface DeadLetter {
  objectUri: string;
  identity: string;
  /** The object's key in its bucket, as the first load routed it: what a replay routes again. */
  key: string;
  table: string | undefined;
  error: string;
  tip: string;
}

export interface LedgerEntry {
  objectUri: string;
  /** ETag, or the version id where the bucket is versioned: what makes re-uploads new objects. */
  identity: string;
  table: string;
  status: 'loaded' | 'failed';
  inserted: number;
  updated: number;
  unchanged: number;
  durationMs: number;
  error?: string;
}

/** An object as the ledger knows it: its URI and the identity of its content. */
export interface LedgerKey {
  objectUri: string;
  identity: string;
}

/**
 * The ledger's statements for one dialect. A dialect whose text type needs a length (Redshift's
 * VARCHAR is 256 bytes by default) overrides `text`.
 */
export class LedgerSql {
  constructor(protected readonly q: SqlQuoting) {}

  /** The type of a text column holding up to `chars` characters. */
  protected text(_chars: number): string {
    return 'VARCHAR';
  }

  protected timestamp(): string {
    return 'TIMESTAMP WITH TIME ZONE';
  }

  createLedger(): string {
    const uri = this.text(2048);
    return `CREATE TABLE IF NOT EXISTS ${this.q.quoteTable(LEDGER_TABLE)} (
  object_uri ${uri} NOT NULL,
  object_identity ${this.text(256)} NOT NULL,
  target_table ${this.text(512)} NOT NULL,
  status ${this.text(16)} NOT NULL,
  rows_inserted BIGINT NOT NULL,
  rows_updated BIGINT NOT NULL,
  rows_unchanged BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  error ${this.text(ERROR_CHARS)},
  recorded_at ${this.timestamp()} NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;
  }

  createDeadLetters(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.q.quoteTable(DEAD_LETTER_TABLE)} (
  object_uri ${this.text(2048)} NOT NULL,
  object_identity ${this.text(256)} NOT NULL,
  ${DEAD_LETTER_KEY} ${this.text(1024)},
  target_table ${this.text(512)},
  error ${this.text(ERROR_CHARS)} NOT NULL,
  tip ${this.text(1024)} NOT NULL,
  failed_at ${this.timestamp()} NOT NULL DEFAULT CURRENT_TIMESTAMP,
  replayed_at ${this.timestamp()}
)`;
  }

  /**
   * The dead letters' object key column, added to a table created before it existed (NULL in the
   * older letters, which replay from their URI alone).
   */
  addObjectKey(): string {
    return `ALTER TABLE ${this.q.quoteTable(DEAD_LETTER_TABLE)} ADD COLUMN ${DEAD_LETTER_KEY} ${this.text(1024)}`;
  }

  /**
   * A dead letter, unless one for the same object content is still waiting: an object that fails
   * again keeps one letter (the failed ledger rows keep every attempt).
   */
  recordDeadLetter(letter: DeadLetter): string {
    const q = this.q;
    const letters = q.quoteTable(DEAD_LETTER_TABLE);
    const table = letter.table === undefined ? 'NULL' : q.quoteLiteral(letter.table);
    const uri = q.quoteLiteral(letter.objectUri);
    const identity = q.quoteLiteral(letter.identity);
    return `INSERT INTO ${letters} (object_uri, object_identity, ${DEAD_LETTER_KEY}, target_table, error, tip) SELECT ${uri}, ${identity}, ${q.quoteLiteral(letter.key)}, ${table}, ${q.quoteLiteral(letter.error.slice(0, ERROR_CHARS))}, ${q.quoteLiteral(letter.tip)} WHERE NOT EXISTS (SELECT 1 FROM ${letters} WHERE object_uri = ${uri} AND object_identity = ${identity} AND replayed_at IS NULL)`;
  }

  /**
   * Waiting letters, one per object content, with the key and table of the first load. `withKey`
   * false reads a table from before the key column (NULL keys) without altering it.
   */
  pendingDeadLetters(withKey = true): string {
    const key = withKey ? `max(${DEAD_LETTER_KEY})` : 'NULL';
    return `SELECT object_uri, object_identity, ${key} AS object_key, max(target_table) AS target_table FROM ${this.q.quoteTable(DEAD_LETTER_TABLE)} WHERE replayed_at IS NULL GROUP BY object_uri, object_identity ORDER BY object_uri`;
  }

  markReplayed(objectUri: string, identity: string): string {
    const q = this.q;
    return `UPDATE ${q.quoteTable(DEAD_LETTER_TABLE)} SET replayed_at = CURRENT_TIMESTAMP WHERE object_uri = ${q.quoteLiteral(objectUri)} AND object_identity = ${q.quoteLiteral(identity)} AND replayed_at IS NULL`;
  }

  /**
   * The loaded identities of these objects' URIs; run inside the load transaction, after the lock.
   * Pairs are matched by the caller, so the statement stays one short IN list however many files.
   */
  loadedAmong(objects: readonly LedgerKey[]): string {
    const q = this.q;
    const uris = [...new Set(objects.map((object) => object.objectUri))].map((uri) => q.quoteLiteral(uri));
    return `SELECT object_uri, object_identity FROM ${q.quoteTable(LEDGER_TABLE)} WHERE status = 'loaded' AND object_uri IN (${uris.join(', ')})`;
  }

  /** One ledger row per entry, in one statement. */
  recordLoads(entries: readonly LedgerEntry[]): string {
    const q = this.q;
    const integer = (value: number) => String(Math.trunc(value));
    const rows = entries.map(
      (entry) =>
        `(${[
          q.quoteLiteral(entry.objectUri),
          q.quoteLiteral(entry.identity),
          q.quoteLiteral(entry.table),
          q.quoteLiteral(entry.status),
          integer(entry.inserted),
          integer(entry.updated),
          integer(entry.unchanged),
          integer(entry.durationMs),
          entry.error === undefined ? 'NULL' : q.quoteLiteral(entry.error.slice(0, ERROR_CHARS)),
        ].join(', ')})`,
    );
    return `INSERT INTO ${q.quoteTable(LEDGER_TABLE)} (object_uri, object_identity, target_table, status, rows_inserted, rows_updated, rows_unchanged, duration_ms, error) VALUES ${rows.join(', ')}`;
  }
}
