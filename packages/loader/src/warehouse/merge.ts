import { LoaderError } from '../errors.js';
import type { Capabilities, LoadJob, LoadOutcome } from './dialect.js';
import type { SqlCompiler } from './sql-compiler.js';

/** The statements a driver runs inside its load transaction, however its client returns results. */
export interface Statements {
  /** The first column of the first row, as a number. */
  count(sql: string): Promise<number>;
  /** Rows a DELETE or INSERT changed. */
  changed(sql: string): Promise<number>;
  run(sql: string): Promise<void>;
}

/**
 * The start of every load transaction: writers of the table are serialized where the dialect does
 * that with a lock, and only then is the ledger read, so that two loaders of one file cannot both
 * see it as new. True when the file was loaded already.
 */
export async function alreadyLoaded(
  sql: Statements,
  compiler: SqlCompiler,
  capabilities: Capabilities,
  job: LoadJob,
): Promise<boolean> {
  if (capabilities.writerLock === 'table-lock') await sql.run(compiler.lockTable(job.table));
  return (await sql.count(compiler.alreadyLoaded(job.objectUri, job.identity))) > 0;
}

/**
 * From a filled staging table to merged rows and the ledger row, in the caller's transaction: null
 * keys refused, the newest row per key kept, rows older than the stored ones dropped, replaced rows
 * deleted, staging inserted, the load recorded. The same sequence for every dialect.
 */
export async function mergeStaging(
  sql: Statements,
  compiler: SqlCompiler,
  job: LoadJob,
  staging: string,
  staged: number,
  started: number,
): Promise<LoadOutcome> {
  const { keys, version } = job.settings;
  let unchanged = 0;
  let updated = 0;
  if (keys.length > 0) {
    const nullKeys = await sql.count(compiler.countNullKeys(staging, keys));
    if (nullKeys > 0) {
      throw new LoaderError(
        `${nullKeys} of ${staged} rows have no value in the key (${keys.join(', ')}); every row needs one. Fix the file and load it again`,
      );
    }
    unchanged += await sql.changed(compiler.dedupeStaging(staging, keys, version));
    if (version)
      unchanged += await sql.changed(compiler.dropOlderVersions(staging, job.table, keys, version));
    updated = await sql.changed(compiler.deleteReplaced(staging, job.table, keys));
  }
  const names = job.columns.map((column) => column.name);
  const written = await sql.changed(compiler.insertFromStaging(staging, job.table, names));
  const outcome = { status: 'loaded' as const, inserted: written - updated, updated, unchanged };
  await sql.run(
    compiler.recordLoad({
      objectUri: job.objectUri,
      identity: job.identity,
      table: job.table,
      durationMs: performance.now() - started,
      ...outcome,
    }),
  );
  return outcome;
}
