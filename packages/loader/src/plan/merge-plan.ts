// The plan stage: from a filled staging table to merged rows, as statements. Pure: the compiler
// writes the SQL, the plan orders it, and a driver (through warehouse/merge.ts) executes it.
import type { TableSettings } from '../warehouse/dialect.js';
import type { SqlCompiler } from '../warehouse/sql-compiler.js';

/** What one batch's merge runs, in order, inside its load transaction. */
export interface MergePlan {
  /** Planner statistics on the filled staging table, where the dialect wants them. */
  analyze?: string;
  /** Per file: rows staged and rows without a key value (any such row refuses the batch). */
  census: string;
  /** Staged rows that will not be written: duplicates within the batch, rows older than the stored ones. */
  discard: string[];
  /** True when each discard statement returns its removed rows per file (`batch_file`, `discarded`). */
  discardsCounted: boolean;
  /** Per file, after discards that do not count: the rows left to write. */
  survivors?: string;
  /** Per file: stored rows replaced. Absent for one file, whose count is the DELETE's own. */
  replacedPerFile?: string;
  /** Deletes the stored rows being replaced; absent for keyless (append) tables. */
  deleteReplaced?: string;
  insert: string;
}

export interface MergeInput {
  table: string;
  settings: TableSettings;
  /** The files' column names, in file order. */
  columns: readonly string[];
  staging: string;
  /** Files staged in the batch. */
  files: number;
}

/**
 * The merge sequence, the same for every dialect: refuse null keys, keep the newest row per key
 * (by version, else the last row of the newest file), drop rows older than the stored ones (an older
 * file never overwrites newer data), delete the rows replaced, insert. Keyless tables append.
 */
export function planMerge(compiler: SqlCompiler, input: MergeInput): MergePlan {
  const { table, staging, files } = input;
  const { keys, version } = input.settings;
  const census = compiler.stagingCensus(staging, keys);
  const insert = compiler.insertFromStaging(staging, table, input.columns);
  const analyze = compiler.analyzeStaging(staging, keys);
  const statistics = analyze === undefined ? {} : { analyze };
  if (keys.length === 0) return { ...statistics, census, discard: [], discardsCounted: false, insert };
  const deletes = [
    compiler.dedupeStaging(staging, keys, version),
    ...(version ? [compiler.dropOlderVersions(staging, table, keys, version)] : []),
  ];
  const counted = deletes.map((statement) => compiler.countedDiscard(statement));
  const discards = counted.every((statement) => statement !== undefined)
    ? { discard: counted as string[], discardsCounted: true }
    : { discard: deletes, discardsCounted: false, survivors: census };
  return {
    ...statistics,
    census,
    ...discards,
    ...(files > 1 ? { replacedPerFile: compiler.replacedPerFile(staging, table, keys) } : {}),
    deleteReplaced: compiler.deleteReplaced(staging, table, keys),
    insert,
  };
}
