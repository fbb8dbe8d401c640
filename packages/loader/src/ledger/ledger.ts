// The ledger stage's operations outside the load transaction: failures kept as dead letters with
// a failed ledger row, and the dead letters read back and marked for replays. (A load's own
// ledger rows are written inside its transaction: see warehouse/merge.ts.)
import type { Driver } from '../warehouse/dialect.js';
import {
  DEAD_LETTER_KEY,
  DEAD_LETTER_TABLE,
  type DeadLetter,
  LEDGER_TABLE,
  type LedgerKey,
} from './ledger-sql.js';

/** One string per object content, for sets and maps. */
export function ledgerKey(object: LedgerKey): string {
  return `${object.objectUri}\u0000${object.identity}`;
}

/** The ledger and dead-letter tables, each created if missing, each committed on its own. */
export async function createLedger(driver: Driver): Promise<void> {
  const ledger = driver.compiler.ledger;
  await driver.runDdl([ledger.createLedger()]);
  await createDeadLetters(driver);
}

/** The dead-letter table, created if missing, with the object key column a replay routes by. */
async function createDeadLetters(driver: Driver): Promise<void> {
  const ledger = driver.compiler.ledger;
  await driver.runDdl([ledger.createDeadLetters()]);
  const columns = await driver.tableColumns(DEAD_LETTER_TABLE);
  if (columns && !columns.some((column) => column.name === DEAD_LETTER_KEY))
    await driver.runDdl([ledger.addObjectKey()]);
}

/**
 * A failed object becomes a dead letter and a failed ledger row. The tables are created first by
 * the caller (concurrent CREATEs conflict in DuckDB's catalog).
 */
export async function recordFailure(driver: Driver, letter: DeadLetter): Promise<void> {
  const ledger = driver.compiler.ledger;
  await driver.runDdl([
    ledger.recordDeadLetter(letter),
    ledger.recordLoads([
      {
        objectUri: letter.objectUri,
        identity: letter.identity,
        table: letter.table ?? '',
        status: 'failed',
        inserted: 0,
        updated: 0,
        unchanged: 0,
        durationMs: 0,
        error: letter.error,
      },
    ]),
  ]);
}

/** A dead letter waiting for a replay: the object, its key and the table of its first load. */
export interface PendingLetter {
  uri: string;
  identity: string;
  /** Undefined for letters written before keys were kept: they replay from the URI alone. */
  key: string | undefined;
  /** Undefined when the first load failed before routing (its route is taken afresh). */
  table: string | undefined;
}

/** Which of the loader's tables exist, asked without creating either: reading never writes. */
export async function ledgerTables(driver: Driver): Promise<{ ledger: boolean; deadLetters: boolean }> {
  const [ledger, deadLetters] = await Promise.all([
    driver.tableColumns(LEDGER_TABLE),
    driver.tableColumns(DEAD_LETTER_TABLE),
  ]);
  return { ledger: ledger !== undefined, deadLetters: deadLetters !== undefined };
}

/**
 * Dead letters not replayed yet: the objects to load again once their cause is fixed. A missing
 * table has none, and a table from before the key column replays from URIs alone: nothing is
 * created or altered here (the load that follows migrates the tables).
 */
export async function pendingDeadLetters(driver: Driver): Promise<PendingLetter[]> {
  const columns = await driver.tableColumns(DEAD_LETTER_TABLE);
  if (columns === undefined) return [];
  const withKey = columns.some((column) => column.name === DEAD_LETTER_KEY);
  const rows = await driver.query(driver.compiler.ledger.pendingDeadLetters(withKey));
  const text = (value: unknown) =>
    value === null || value === undefined || value === '' ? undefined : String(value);
  return rows.map((row) => ({
    uri: String(row.object_uri),
    identity: String(row.object_identity),
    key: text(row.object_key),
    table: text(row.target_table),
  }));
}

/** Marks a dead letter as handled after its object loaded (or was found loaded already). */
export async function markReplayed(driver: Driver, uri: string, identity: string): Promise<void> {
  await driver.runDdl([driver.compiler.ledger.markReplayed(uri, identity)]);
}
