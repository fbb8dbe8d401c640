// The one rule of a merge: which steps a batch's load runs, in which order, decided by the table's
// settings and the dialect's capabilities — never by its name. Both planners follow it:
// merge-plan.ts for interactive execution (DuckDB, PostgreSQL), batch-merge.ts for one-batch
// execution (Redshift through the Data API).
import { LoaderError } from '../errors.js';
import type { Capabilities, TableSettings } from '../warehouse/dialect.js';

/**
 * A step of a batch's load, in the order `mergeSteps` gives:
 * - `lock`: serialize the table's writers, before anything is read;
 * - `ledger-check`: which files are loaded already (read, or guard the writes in one batch);
 * - `stage`: the files' rows into staging, each with its file;
 * - `row-counts`: a file whose staged rows differ from its footer's count refuses the batch;
 * - `null-keys`: a row without a key value refuses the batch;
 * - `ties`: two rows of one key that nothing tells apart in one file refuse the batch;
 * - `dedupe`: keep the newest row per key (greatest version, then the newest file, then the last row);
 * - `drop-older`: drop staged rows older than the stored row of their key;
 * - `count`: the per-file counts kept for the ledger rows, where nothing can be read between steps;
 * - `delete-replaced`: delete the stored rows that staged rows replace;
 * - `insert`: write the surviving rows;
 * - `ledger`: one ledger row per file, in the same transaction.
 */
export type MergeStep =
  | 'lock'
  | 'ledger-check'
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

/** The capabilities the rule asks. */
export type MergeRules = Pick<Capabilities, 'writerLock' | 'execution' | 'fileRowOrder'>;

/** What of a batch the rule needs besides the capabilities. */
export interface MergeBatch {
  table: string;
  settings: TableSettings;
  /** True when some file's footer declares its row count. */
  declaresRows: boolean;
}

/**
 * The steps of one batch's load, in order. Keyed tables refuse rows without a key, keep the newest
 * row per key and replace stored rows; versioned ones first drop what is older than stored; keyless
 * tables append. Where staging keeps no row order, ties within a file are refused (no "last row
 * wins" to apply); where nothing can be read between statements, the counts are kept for the
 * ledger rows before any stored row is deleted.
 */
export function mergeSteps(rules: MergeRules, batch: MergeBatch): MergeStep[] {
  const { keys, version } = batch.settings;
  if (keys.length === 0 && version !== undefined) {
    throw new LoaderError(
      `${batch.table}: a version column (${version}) needs keys to compare rows by; name the table's keys or drop its version`,
    );
  }
  const keyed = keys.length > 0;
  const steps: MergeStep[] = [];
  if (rules.writerLock === 'table-lock') steps.push('lock');
  steps.push('ledger-check', 'stage');
  if (batch.declaresRows) steps.push('row-counts');
  if (keyed) {
    steps.push('null-keys');
    if (rules.fileRowOrder === 'hidden') steps.push('ties');
    steps.push('dedupe');
    if (version !== undefined) steps.push('drop-older');
  }
  if (rules.execution === 'one-batch') steps.push('count');
  if (keyed) steps.push('delete-replaced');
  steps.push('insert', 'ledger');
  return steps;
}
