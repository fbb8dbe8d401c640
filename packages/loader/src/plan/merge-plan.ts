// The plan stage for interactive execution (DuckDB, PostgreSQL): from a filled staging table to
// merged rows, as statements. Pure: the compiler writes the SQL, merge-steps.ts's rule says which
// steps run, and a driver (through warehouse/merge.ts) executes them in that order, reading in between.
import { LoaderError } from '../errors.js';
import type { Capabilities, TableSettings } from '../warehouse/dialect.js';
import type { SqlCompiler } from '../warehouse/sql-compiler.js';
import { type MergeRules, mergeSteps } from './merge-steps.js';

/** A statement that drops staged rows, and how the rows it drops are known per file. */
export interface Discard {
  sql: string;
  /**
   * `returned`: the statement answers them itself (`batch_file`, `discarded`); `recount`: the
   * survivors are counted again after it.
   */
  counted: 'returned' | 'recount';
}

/** What one batch's merge runs, in order, inside its load transaction. */
export interface MergePlan {
  /**
   * Per file: rows staged and rows without a key value (any such row refuses the batch). Absent
   * where the driver ranked the rows as it staged them and answers the census itself, with the rows
   * `kept` as the newest of their key (`kept-rows` or `positions` staging of a keyed table).
   */
  census?: string;
  /** True when the census answers `kept`. */
  censusCountsKept: boolean;
  /**
   * Drops staged rows that lose to a newer staged row of the same key; absent for keyless tables
   * and where staging ranked its rows (the census counted the kept ones).
   */
  dedupe?: Discard;
  /**
   * The steps that join the stored rows, run only when `hasRows` finds any the batch may meet: with
   * none, no staged row is older than a stored one and none replaces one. Absent for keyless tables.
   */
  target?: {
    hasRows: string;
    /** Asked after `hasRows` finds rows, where the dialect narrows it to those the batch may meet. */
    hasRowsInRange?: string;
    /** Planner statistics on the filled staging table, where the dialect wants them for the joins. */
    analyze?: string;
    /**
     * Where the dialect matches staged and stored rows once (`SqlCompiler.matchStored`): the join
     * that notes them; the steps below then read that note instead of joining again.
     */
    matchStored?: string;
    /**
     * Drops staged rows older than the stored ones (versioned tables); where staging holds the
     * losers' positions, counts them per file, and `insertPruned` leaves them out.
     */
    dropOlder?: Discard;
    /**
     * Per file: stored rows replaced. Absent for one file, whose count is the DELETE's own, and
     * where the DELETE answers the count per file itself (`deleteCountsPerFile`).
     */
    replacedPerFile?: string;
    deleteReplaced: string;
    /** True when `deleteReplaced` answers per file (`batch_file`, `replaced`) what it deleted. */
    deleteCountsPerFile: boolean;
    /**
     * Where staging holds positions: the insert once these steps ran, leaving out the rows older
     * than stored as well as the losers (the plan's own `insert` leaves out only the losers).
     */
    insertPruned?: string;
  };
  /** Per file (`staged`), after a discard counted `recount`: the rows left to write. */
  survivors?: string;
  /** Writes the surviving rows; it must write as many as survived. */
  insert: string;
}

export interface MergeInput {
  table: string;
  settings: TableSettings;
  /** The files' column names, in file order. */
  columns: readonly string[];
  staging: string;
  /** What staging holds (the dialect's `staging` capability). */
  stagingHolds: NonNullable<Capabilities['staging']>;
  /** The staged files as the warehouse reads them, in batch order. */
  paths: readonly string[];
  /** The dialect's capabilities that decide the steps. */
  rules: MergeRules;
  /** True when some file's footer declares its row count. */
  declaresRows: boolean;
}

/**
 * The merge's statements for the steps `mergeSteps` gives (refuse null keys, keep the newest row
 * per key — by version, else the last row of the newest file —, drop rows older than the stored
 * ones, delete the rows replaced, insert; keyless tables append). The census answers the row-count
 * and null-key refusals. Where staging holds positions (of the losers) or kept rows, the driver
 * ranked the rows on the way in: nothing is deduplicated here, and the census is the driver's.
 * Positions: the stored rows are matched from the files' keys, and the insert reads the kept rows
 * from the files, leaving out the losers and the rows older than stored.
 */
export function planMerge(compiler: SqlCompiler, input: MergeInput): MergePlan {
  const { table, staging, paths, settings } = input;
  const { keys, version } = settings;
  const steps = mergeSteps(input.rules, { table, settings, declaresRows: input.declaresRows });
  // Reads between statements take the place of `count`, and row positions break ties: a dialect
  // without either needs one-batch execution (plan/batch-merge.ts).
  if (input.rules.execution !== 'interactive' || steps.includes('ties')) {
    throw new LoaderError(
      `${table}: an interactive merge needs interactive execution and visible file row order (execution ${input.rules.execution}, file row order ${input.rules.fileRowOrder})`,
    );
  }
  const positions = input.stagingHolds === 'positions';
  const fromFiles = (older?: string) =>
    compiler.insertKeptFromFiles(staging, table, input.columns, settings, paths, older);
  const insert = positions ? fromFiles() : compiler.insertFromStaging(staging, table, input.columns);
  // Nothing stored is replaced: the rows are appended.
  if (!steps.includes('delete-replaced'))
    return { census: compiler.stagingCensus(staging, keys), censusCountsKept: false, insert };
  // Staging holds the newest row per key, or the losers' positions: the driver counted the rows as
  // it ranked them.
  const ranked = positions || input.stagingHolds === 'kept-rows';
  const census = ranked ? undefined : compiler.stagingCensus(staging, keys);
  const discard = (sql: string): Discard => {
    const counted = compiler.countedDiscard(sql);
    return counted === undefined ? { sql, counted: 'recount' } : { sql: counted, counted: 'returned' };
  };
  const dedupe =
    ranked || !steps.includes('dedupe') ? undefined : discard(compiler.dedupeStaging(staging, keys, version));
  const matched = compiler.matchStored(staging, table, settings, paths);
  const dropsOlder = steps.includes('drop-older') && version !== undefined;
  const olderSql = !dropsOlder
    ? undefined
    : matched
      ? matched.dropOlder
      : compiler.dropOlderVersions(staging, table, keys, version);
  // The note's older rows are counted, and left out by the insert rather than deleted from staging.
  const dropOlder =
    olderSql === undefined
      ? undefined
      : matched
        ? { sql: olderSql, counted: 'returned' as const }
        : discard(olderSql);
  const analyze = compiler.analyzeStaging(staging, keys);
  const inRange = compiler.storedInRange(table, { keys, paths });
  const recounts = dedupe?.counted === 'recount' || dropOlder?.counted === 'recount';
  return {
    ...(census === undefined ? {} : { census }),
    censusCountsKept: ranked,
    ...(dedupe ? { dedupe } : {}),
    target: {
      hasRows: compiler.targetHasRows(table),
      ...(inRange === undefined ? {} : { hasRowsInRange: inRange }),
      ...(analyze === undefined ? {} : { analyze }),
      ...(matched ? { matchStored: matched.match } : {}),
      ...(dropOlder === undefined ? {} : { dropOlder }),
      ...(matched
        ? {
            ...(paths.length > 1 ? { replacedPerFile: matched.replacedPerFile } : {}),
            deleteReplaced: matched.deleteReplaced,
            deleteCountsPerFile: false,
          }
        : replacedSteps(compiler, staging, table, keys, paths.length)),
      ...(positions ? { insertPruned: fromFiles(matched && dropsOlder ? matched.note : undefined) } : {}),
    },
    ...(recounts ? { survivors: compiler.stagingCensus(staging, keys) } : {}),
    insert,
  };
}

/**
 * How the rows replaced are deleted and counted per file: by the DELETE itself where the dialect
 * can say so in one statement, else by a join before it (one file: the DELETE's own count).
 */
function replacedSteps(
  compiler: SqlCompiler,
  staging: string,
  table: string,
  keys: readonly string[],
  files: number,
): { replacedPerFile?: string; deleteReplaced: string; deleteCountsPerFile: boolean } {
  const deleteReplaced = compiler.deleteReplaced(staging, table, keys);
  if (files === 1) return { deleteReplaced, deleteCountsPerFile: false };
  const counted = compiler.countedReplace(staging, table, keys);
  if (counted !== undefined) return { deleteReplaced: counted, deleteCountsPerFile: true };
  return {
    replacedPerFile: compiler.replacedPerFile(staging, table, keys),
    deleteReplaced,
    deleteCountsPerFile: false,
  };
}
