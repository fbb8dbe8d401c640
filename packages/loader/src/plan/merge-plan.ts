// The plan stage: from a filled staging table to merged rows, as statements. Pure: the compiler
// writes the SQL, the plan orders it, and a driver (through warehouse/merge.ts) executes it.
import type { TableSettings } from '../warehouse/dialect.js';
import type { SqlCompiler } from '../warehouse/sql-compiler.js';

/** What one batch's merge runs, in order, inside its load transaction. */
export interface MergePlan {
  /** Per file: rows staged and rows without a key value (any such row refuses the batch). */
  census: string;
  /** Drops staged rows that lose to a newer staged row of the same key; absent for keyless tables. */
  dedupe?: string;
  /** True when each discard (dedupe, dropOlder) returns its removed rows per file (`batch_file`, `discarded`). */
  discardsCounted: boolean;
  /**
   * The steps that join the stored rows, run only when `hasRows` finds any: with none stored, no
   * staged row is older than a stored one and none replaces one. Absent for keyless tables.
   */
  target?: {
    hasRows: string;
    /** Planner statistics on the filled staging table, where the dialect wants them for the joins. */
    analyze?: string;
    /** Drops staged rows older than the stored ones (versioned tables). */
    dropOlder?: string;
    /** Per file: stored rows replaced. Absent for one file, whose count is the DELETE's own. */
    replacedPerFile?: string;
    deleteReplaced: string;
  };
  /** Per file, after discards that do not count themselves: the rows left to write. */
  survivors?: string;
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
  if (keys.length === 0) return { census, discardsCounted: false, insert };
  const dedupe = compiler.dedupeStaging(staging, keys, version);
  const dropOlder = version ? compiler.dropOlderVersions(staging, table, keys, version) : undefined;
  const countedDedupe = compiler.countedDiscard(dedupe);
  const countedDropOlder = dropOlder === undefined ? undefined : compiler.countedDiscard(dropOlder);
  const counted = countedDedupe !== undefined && (dropOlder === undefined || countedDropOlder !== undefined);
  const analyze = compiler.analyzeStaging(staging, keys);
  const older = counted ? countedDropOlder : dropOlder;
  return {
    census,
    dedupe: counted ? (countedDedupe as string) : dedupe,
    discardsCounted: counted,
    target: {
      hasRows: compiler.targetHasRows(table),
      ...(analyze === undefined ? {} : { analyze }),
      ...(older === undefined ? {} : { dropOlder: older }),
      ...(files > 1 ? { replacedPerFile: compiler.replacedPerFile(staging, table, keys) } : {}),
      deleteReplaced: compiler.deleteReplaced(staging, table, keys),
    },
    ...(counted ? {} : { survivors: census }),
    insert,
  };
}
