// The ledger stage's operations outside the load transaction: failures kept as dead letters with
// a failed ledger row, and the dead letters read back and marked for replays. (A load's own
// ledger rows are written inside its transaction: see warehouse/merge.ts.)
import type { Driver } from '../warehouse/dialect.js';
import type { DeadLetter, LedgerKey } from './ledger-sql.js';

/** One string per object content, for sets and maps. */
export function ledgerKey(object: LedgerKey): string {
  return `${object.objectUri}\u0000${object.identity}`;
}

/** Creates the ledger table if needed; its own committed step, before any load. */
/** The ledger and dead-letter tables, each created if missing, each committed on its own. */
export async function createLedger(driver: Driver): Promise<void> {
  const ledger = driver.compiler.ledger;
  await driver.runDdl([ledger.createLedger(), ledger.createDeadLetters()]);
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

/** Dead letters not replayed yet: the objects to load again once their cause is fixed. */
export async function pendingDeadLetters(driver: Driver): Promise<{ uri: string; identity: string }[]> {
  const ledger = driver.compiler.ledger;
  await driver.runDdl([ledger.createDeadLetters()]);
  const rows = await driver.query(ledger.pendingDeadLetters());
  return rows.map((row) => ({ uri: String(row.object_uri), identity: String(row.object_identity) }));
}

/** Marks a dead letter as handled after its object loaded (or was found loaded already). */
export async function markReplayed(driver: Driver, uri: string, identity: string): Promise<void> {
  await driver.runDdl([driver.compiler.ledger.markReplayed(uri, identity)]);
}
