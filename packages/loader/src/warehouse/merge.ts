// The shared body of every driver's load transaction: the lock, the ledger check, the merge plan
// executed step by step, and the ledger rows. Drivers supply the transaction, the client and the
// staging of the files; the SQL comes from the compiler and the order from plan/merge-plan.ts.
import { LoaderError } from '../errors.js';
import { ledgerKey } from '../ledger/ledger.js';
import type { LedgerEntry } from '../ledger/ledger-sql.js';
import { type Discard, planMerge } from '../plan/merge-plan.js';
import type { Capabilities, LoadJob, LoadOutcome } from './dialect.js';
import type { SqlCompiler } from './sql-compiler.js';

/** The statements a driver runs inside its load transaction, however its client returns results. */
export interface Statements {
  /** Rows of a query, as plain objects. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Rows a DELETE or INSERT changed. */
  changed(sql: string): Promise<number>;
  run(sql: string): Promise<void>;
}

/**
 * What a driver's staging answers when it ranked the rows on the way in (`kept-rows` staging, and
 * `positions` of a keyed table), or also wrote them straight into the target.
 */
export interface Staged {
  /**
   * Per file (`batch_file`): its rows (`staged`), those without a key value (`null_keys`) and those
   * kept as the newest of their key (`kept`), counted as the rows were ranked.
   */
  census: readonly Record<string, unknown>[];
  /** True when the kept rows went straight into the target, not into staging. */
  direct?: boolean;
  /** With `direct`: the rows written into the target. */
  written?: number;
  /**
   * Without `direct`: rows already written straight into the target beside the staged ones, none of
   * which can meet a stored or a staged row (a key value outside every stored key's range).
   */
  alsoWritten?: number;
}

/**
 * Creates the staging table and fills it with `jobs`' rows, job i as file i of the batch. A
 * `kept-rows` driver that ranked the rows answers what it counted, or nothing when it staged every
 * row instead (a batch it cannot rank as the warehouse would); a `positions` driver answers its
 * census for a keyed table, and nothing for a keyless one (the plan counts). With `mayGoDirect` (a keyed target that holds no row the batch may
 * meet, either ranked staging) it may write the kept rows straight into the target table instead,
 * and says so (`direct`) with its census: with nothing stored to meet, nothing is replaced or older.
 */
export type Stage = (
  staging: string,
  jobs: readonly LoadJob[],
  options: { mayGoDirect: boolean },
) => Promise<Staged | undefined>;

/** Names a batch in messages: its one file, or its first file and how many more. */
export function describeBatch(jobs: readonly LoadJob[]): string {
  const first = jobs[0]?.objectUri ?? 'nothing';
  return jobs.length > 1 ? `${first} and ${jobs.length - 1} more files` : first;
}

/** A driver is handed only batches of one table and identical columns; anything else is a bug. */
export function checkBatch(jobs: readonly LoadJob[]): void {
  const [first] = jobs;
  if (!first) return;
  const columns = JSON.stringify(first.columns);
  for (const job of jobs) {
    if (job.table !== first.table || JSON.stringify(job.columns) !== columns) {
      throw new LoaderError(
        `a batch mixes ${job.objectUri} (table ${job.table}) with ${first.objectUri} (table ${first.table}) whose columns differ; batches hold files of one table with identical columns`,
      );
    }
  }
}

/** Counts per file from a census-shaped result, by the batch_file column. */
function perFile(rows: readonly Record<string, unknown>[], column: string, files: number): number[] {
  const counts = Array.from({ length: files }, () => 0);
  for (const row of rows) counts[Number(row.batch_file)] = Number(row[column] ?? 0);
  return counts;
}

/**
 * Loads a batch inside the caller's open transaction. Writers of the table are serialized first
 * where the dialect does that with a lock, and only then is the ledger read, so that two loaders of
 * one file cannot both see it as new. Files in the ledger already (or twice in the batch) are
 * duplicates; the rest are staged together, merged, and each recorded with its own ledger row.
 */
export async function loadBatch(
  sql: Statements,
  compiler: SqlCompiler,
  capabilities: Capabilities,
  jobs: readonly LoadJob[],
  staging: string,
  stage: Stage,
): Promise<LoadOutcome[]> {
  const started = performance.now();
  checkBatch(jobs);
  const [first] = jobs;
  if (!first) return [];
  if (capabilities.writerLock === 'table-lock') await sql.run(compiler.lockTable(first.table));
  const seen = new Set(
    (await sql.rows(compiler.ledger.loadedAmong(jobs))).map((row) =>
      ledgerKey({ objectUri: String(row.object_uri), identity: String(row.object_identity) }),
    ),
  );
  const outcomes: LoadOutcome[] = [];
  const fresh: { job: LoadJob; index: number }[] = [];
  for (const [index, job] of jobs.entries()) {
    const key = ledgerKey(job);
    outcomes.push({ status: 'duplicate' });
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push({ job, index });
  }
  if (fresh.length === 0) return outcomes;

  const files = fresh.map(({ job }) => job);
  const merge = (stagingHolds: NonNullable<Capabilities['staging']>) =>
    planMerge(compiler, {
      table: first.table,
      settings: first.settings,
      columns: first.columns.map((column) => column.name),
      staging,
      stagingHolds,
      paths: files.map((job) => job.path),
      rules: capabilities,
      declaresRows: files.some((job) => job.rows !== undefined),
    });
  let plan = merge(capabilities.staging ?? 'rows');
  // Asked at most once: under the writer lock, nothing else changes the answer during the load.
  // Each probe narrows the one before it: the first that finds nothing settles it.
  const probes = [plan.target?.hasRows, plan.target?.hasRowsInRange].filter((probe) => probe !== undefined);
  const finds = async (probe: string) => Number(Object.values((await sql.rows(probe))[0] ?? {})[0] ?? 0) > 0;
  let stored: boolean | undefined;
  const hasStored = async () => {
    if (stored === undefined) {
      stored = probes.length > 0;
      for (const probe of probes) if (stored) stored = await finds(probe);
    }
    return stored;
  };
  // Rows ranked on the way in need no staging while nothing stored can meet them: a first load, or
  // (where the probe knows the batch's key range) a batch of new keys, writes once.
  const ranked = capabilities.staging !== undefined && capabilities.staging !== 'rows';
  const mayGoDirect = ranked && plan.target !== undefined && !(await hasStored());
  const counted = await stage(staging, files, { mayGoDirect });
  // A driver that could not rank this batch the warehouse's way staged every row instead.
  if (capabilities.staging === 'kept-rows' && plan.target !== undefined && !counted) plan = merge('rows');
  const direct = counted?.direct === true;
  const census = counted?.census ?? (plan.census === undefined ? undefined : await sql.rows(plan.census));
  if (!census) throw new LoaderError(`${first.table}: the driver ranked the rows but did not count them`);
  const staged = perFile(census, 'staged', files.length);
  const nullKeys = perFile(census, 'null_keys', files.length);
  for (const [ordinal, job] of files.entries()) {
    // A file whose rows did not all arrive must not be recorded as loaded.
    if (job.rows !== undefined && staged[ordinal] !== job.rows) {
      throw new LoaderError(
        `${job.objectUri}: ${staged[ordinal]} rows were staged but its footer declares ${job.rows}; the file changed while loading or cannot be read whole`,
      );
    }
  }
  for (const [ordinal, count] of nullKeys.entries()) {
    if (count === 0) continue;
    throw new LoaderError(
      `${files[ordinal]?.objectUri}: ${count} of ${staged[ordinal]} rows have no value in the key (${first.settings.keys.join(', ')}); every row needs one. Fix the file and load it again`,
    );
  }
  let survivors = plan.censusCountsKept ? perFile(census, 'kept', files.length) : [...staged];
  let recount = false;
  const discard = async ({ sql: statement, counted }: Discard) => {
    if (counted === 'recount') {
      // Only a discard that removed rows changes the survivors to count again.
      if ((await sql.changed(statement)) > 0) recount = true;
      return;
    }
    const discarded = perFile(await sql.rows(statement), 'discarded', files.length);
    survivors = survivors.map((count, ordinal) => count - (discarded[ordinal] ?? 0));
  };
  if (plan.dedupe) await discard(plan.dedupe);
  let replaced = Array.from({ length: files.length }, () => 0);
  const target = direct ? undefined : plan.target;
  let insert = plan.insert;
  if (target && (await hasStored())) {
    if (target.insertPruned) insert = target.insertPruned;
    if (target.analyze) await sql.run(target.analyze);
    if (target.matchStored) await sql.run(target.matchStored);
    if (target.dropOlder) await discard(target.dropOlder);
    if (target.deleteCountsPerFile) {
      replaced = perFile(await sql.rows(target.deleteReplaced), 'replaced', files.length);
    } else {
      if (target.replacedPerFile)
        replaced = perFile(await sql.rows(target.replacedPerFile), 'replaced', files.length);
      const deleted = await sql.changed(target.deleteReplaced);
      if (!target.replacedPerFile) replaced = [deleted];
    }
  }
  if (recount && plan.survivors) survivors = perFile(await sql.rows(plan.survivors), 'staged', files.length);
  const inserted = direct ? counted?.written : (await sql.changed(insert)) + (counted?.alsoWritten ?? 0);
  if (inserted === undefined)
    throw new LoaderError(`${first.table}: the driver wrote the rows into the table but did not count them`);
  const expected = survivors.reduce((sum, count) => sum + count, 0);
  // Where the insert reads the files again, a file changed since staging would write other rows.
  if (inserted !== expected) {
    throw new LoaderError(
      `${describeBatch(files)}: ${inserted} rows were written where ${expected} were staged to be; a file changed while loading. Load it again`,
    );
  }

  const durationMs = performance.now() - started;
  const entries: LedgerEntry[] = files.map((job, ordinal) => {
    const written = survivors[ordinal] ?? 0;
    const updated = replaced[ordinal] ?? 0;
    const outcome = {
      status: 'loaded' as const,
      inserted: written - updated,
      updated,
      unchanged: (staged[ordinal] ?? 0) - written,
    };
    outcomes[fresh[ordinal]?.index ?? 0] = outcome;
    return { objectUri: job.objectUri, identity: job.identity, table: job.table, durationMs, ...outcome };
  });
  await sql.run(compiler.ledger.recordLoads(entries));
  return outcomes;
}
