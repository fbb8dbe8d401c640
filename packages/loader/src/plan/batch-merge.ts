// The merge planned for one-batch execution (capability `execution: 'one-batch'`, Redshift through
// the Data API): every statement of a load sent at once, nothing read in between. The steps and
// their order are merge-steps.ts's rule; this module turns each step into its statements, gives the
// writes the ledger check's guard, and holds the batch to the warehouse's statement limits. The
// statements' text is the dialect's (`BatchSql`).
import { LoaderError } from '../errors.js';
import { checkColumnNames, checkTableName } from '../schema/names.js';
import type { Column } from '../schema/parquet.js';
import type { Capabilities, TableSettings } from '../warehouse/dialect.js';
import { type MergeStep, mergeSteps } from './merge-steps.js';

/** One file of a batch, as the ledger names it. */
export interface BatchMergeFile {
  objectUri: string;
  identity: string;
  /** Rows its footer declares: the batch fails unless exactly these were staged. */
  rows?: number;
}

/** What every one-batch load names; a dialect's input adds what its staging needs. */
export interface BatchMergeInput {
  /** Names this batch in the ledger (`batch_id`) and in the dialect's staging; [a-z0-9]+. */
  batchId: string;
  table: string;
  settings: TableSettings;
  /** The files' columns, in file order (identical for every file of a batch). */
  columns: readonly Column[];
  /** Oldest first: among rows of one key and equal versions, the newest file's row wins. */
  files: readonly BatchMergeFile[];
}

/**
 * One statement of a batch: the merge step it performs, or, within staging, the dialect's own part
 * of it (Redshift: `file`, `copy`), so that a failed statement is explained by what it did.
 */
export interface BatchStatement<Part extends string = never> {
  step: MergeStep | Part;
  sql: string;
}

/** How the steps before a statement shaped what it reads and writes. */
export interface BatchContext {
  /**
   * True only while none of the batch's files is in the ledger (the `ledger-check`): every write
   * carries it, so that a batch that lost a race with another loader changes nothing and commits.
   */
  guard: string;
  /** True once `dedupe` ran: the rows to write are the kept ones, not every staged row. */
  deduped: boolean;
  /** True when the batch replaces stored rows (`delete-replaced`): they are counted per file first. */
  replaces: boolean;
}

/** A one-batch dialect's SQL text for each step; no step is chosen or ordered here. */
export interface BatchSql<Input extends BatchMergeInput, Part extends string> {
  lock(input: Input): string;
  /** Notes how many of the batch's files the ledger holds already, for `guard`. */
  ledgerCheck(input: Input): string;
  /** The condition that no file of the batch was in the ledger at `ledgerCheck`. */
  guard(): string;
  /** Staging's statements: each staged row with its file's ordinal. */
  stage(input: Input): BatchStatement<Part>[];
  /** Fails unless each file that declares its rows staged exactly those. */
  rowCounts(input: Input): string;
  /** Fails when a staged row has no key value. */
  nullKeys(input: Input): string;
  /** Fails when two rows of one key tie within one file (neither version nor file tells them apart). */
  ties(input: Input): string;
  /** Keeps the newest staged row per key. */
  dedupe(input: Input): string;
  /** Drops the kept rows older than their stored row. */
  dropOlder(input: Input): string;
  /** Keeps per file: rows staged, kept and (where `replaces`) stored rows replaced. */
  count(input: Input, context: BatchContext): string;
  deleteReplaced(input: Input, context: BatchContext): string;
  insert(input: Input, context: BatchContext): string;
  /** One file's ledger row (file `ordinal` of the batch), as a part of `ledgerInsert`. */
  ledgerRow(input: Input, file: BatchMergeFile, ordinal: number, context: BatchContext): string;
  /** One statement writing these ledger rows. */
  ledgerInsert(rows: readonly string[]): string;
}

/** A batch that does not fit the warehouse's statement limits; the driver loads its files in smaller batches. */
export class BatchTooLargeError extends LoaderError {
  override name = 'BatchTooLargeError';
}

/**
 * The statements of one batch's load, in order, as one transaction. The table and column names
 * are checked against the dialect's reserved ones (its temporary tables, staging's file column),
 * the steps come from `mergeSteps`, and a batch over `maxStatements` or with a statement over
 * `maxStatementBytes` is a BatchTooLargeError. Ledger rows are grouped into as few INSERTs as fit
 * `maxStatementBytes` each.
 */
export function planBatchMerge<Input extends BatchMergeInput, Part extends string>(
  sql: BatchSql<Input, Part>,
  capabilities: Capabilities,
  input: Input,
): BatchStatement<Part>[] {
  const { table, files } = input;
  if (capabilities.execution !== 'one-batch')
    throw new LoaderError(
      `a one-batch plan was asked for a dialect whose execution is ${capabilities.execution}`,
    );
  checkTableName(table, capabilities.names);
  checkColumnNames(table, input.columns, capabilities.names);
  if (!/^[a-z0-9]{1,64}$/.test(input.batchId))
    throw new LoaderError(`batch id ${JSON.stringify(input.batchId)} must be 1-64 of [a-z0-9]`);
  if (files.length === 0) throw new LoaderError('a batch needs at least one file');
  const steps = mergeSteps(capabilities, {
    table,
    settings: input.settings,
    declaresRows: files.some((file) => file.rows !== undefined),
  });
  const context: BatchContext = {
    guard: sql.guard(),
    deduped: steps.includes('dedupe'),
    replaces: steps.includes('delete-replaced'),
  };
  const budget = capabilities.maxStatementBytes ?? Number.POSITIVE_INFINITY;
  const statementsOf = (step: MergeStep): BatchStatement<Part>[] => {
    const one = (text: string) => [{ step, sql: text }];
    switch (step) {
      case 'lock':
        return one(sql.lock(input));
      case 'ledger-check':
        return one(sql.ledgerCheck(input));
      case 'stage':
        return sql.stage(input);
      case 'row-counts':
        return one(sql.rowCounts(input));
      case 'null-keys':
        return one(sql.nullKeys(input));
      case 'ties':
        return one(sql.ties(input));
      case 'dedupe':
        return one(sql.dedupe(input));
      case 'drop-older':
        return one(sql.dropOlder(input));
      case 'count':
        return one(sql.count(input, context));
      case 'delete-replaced':
        return one(sql.deleteReplaced(input, context));
      case 'insert':
        return one(sql.insert(input, context));
      case 'ledger':
        return packed(
          files.map((file, ordinal) => sql.ledgerRow(input, file, ordinal, context)),
          (rows) => sql.ledgerInsert(rows),
          budget,
        ).map((text) => ({ step, sql: text }));
    }
  };
  const statements = steps.flatMap(statementsOf);
  const most = capabilities.maxStatements;
  if (most !== undefined && statements.length > most) {
    throw new BatchTooLargeError(
      `the batch needs ${statements.length} statements; one batch runs at most ${most}`,
    );
  }
  for (const statement of statements) {
    const bytes = Buffer.byteLength(statement.sql);
    if (bytes > budget) {
      throw new BatchTooLargeError(
        `the batch's ${statement.step} statement is ${bytes} bytes; a statement takes at most ${budget}`,
      );
    }
  }
  return statements;
}

/** Parts joined into as few statements as fit `budget` bytes each (a part too long alone stays alone). */
function packed(
  parts: readonly string[],
  join: (group: readonly string[]) => string,
  budget: number,
): string[] {
  const statements: string[] = [];
  let group: string[] = [];
  for (const part of parts) {
    if (group.length > 0 && Buffer.byteLength(join([...group, part])) > budget) {
      statements.push(join(group));
      group = [];
    }
    group.push(part);
  }
  if (group.length > 0) statements.push(join(group));
  return statements;
}
