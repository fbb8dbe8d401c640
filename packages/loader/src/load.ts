// The stages in order: route each object → read its footer → plan batches (one table, identical
// columns, oldest first) → settle the table's schema → load each batch in one transaction (with a
// ledger row per file) → report per file. Retries what may succeed again; a batch that fails for
// good is loaded again file by file, so that only the bad file becomes a dead letter.
import { resolve as resolvePath } from 'node:path';
import { mapLimit, retry } from '@lakeload/commons';
import { LakeloadError, LoaderError, ValueError } from './errors.js';
import type { ObjectRef } from './events/types.js';
import {
  createLedger,
  markReplayed,
  type PendingLetter,
  pendingDeadLetters,
  recordFailure,
} from './ledger/ledger.js';
import { type Logger, silentLogger } from './logger.js';
import { eventOf, type LoadEvent, type Notifier } from './notify/notifier.js';
import { type Batchable, planBatches } from './plan/batch.js';
import { type RoutingRule, route } from './routing/route.js';
import { evolve } from './schema/evolve.js';
import { checkColumnNames, checkTableName } from './schema/names.js';
import { type Column, readParquetSchema } from './schema/parquet.js';
import { findBadValue } from './schema/values.js';
import { localStore } from './sources/local-store.js';
import type { ObjectStore } from './sources/store.js';
import type { Driver, LoadJob, LoadOutcome, TableSettings } from './warehouse/dialect.js';

/** Upsert settings shipped for the converter's datasets; other tables append unless configured. */
export const DEFAULT_TABLES: Readonly<Record<string, TableSettings>> = {
  order_summary: { keys: ['order_id'], version: 'updated_at', contract: 'evolve' },
  order_items: { keys: ['order_id', 'line_number'], version: 'updated_at', contract: 'evolve' },
  order_flattened: { keys: ['order_id', 'line_number'], version: 'updated_at', contract: 'evolve' },
};

export interface LoaderOptions {
  driver: Driver;
  /** Per-table settings; they replace the defaults of the same table. */
  tables?: Readonly<Record<string, TableSettings>>;
  rules?: readonly RoutingRule[];
  /** Attempts for retryable failures (connection loss, transaction conflicts). Default 5. */
  attempts?: number;
  /** First backoff in ms, doubled per attempt, with full jitter. Default 50. */
  backoffMs?: number;
  /** Told when each object arrives and how its load ended; a failing notifier never fails a load. */
  notifiers?: readonly Notifier[];
  /** Hears what is neither a result nor an error of a call (a notifier that failed). Default: silent. */
  logger?: Logger;
  /** Most files per load transaction; never more than the dialect's `maxBatchFiles`. Default: that. */
  maxBatchFiles?: number;
}

export type ObjectResult = {
  uri: string;
  durationMs: number;
} & (
  | { status: 'loaded'; table: string; inserted: number; updated: number; unchanged: number }
  | { status: 'duplicate'; table: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; table?: string; error: string; retryable: boolean; tip: string }
);

/**
 * Footer reads and local copies in flight at once: an S3 store answers each in tens of
 * milliseconds, so one at a time would dominate a batch of small files.
 */
const READS_IN_FLIGHT = 8;

/**
 * The largest file whose values are searched when it fails to load (see `#explain`): past it the
 * warehouse's own error stands. Measured: a 142 MB file of 3M rows (two text columns, a decimal)
 * searched whole in 5.3 s at 388 MB RSS, so a failure costs at most a few seconds.
 */
const MAX_SEARCHED_BYTES = 128 * 1024 * 1024;

/** Options of one `loadObjects` call. */
export interface LoadObjectsOptions {
  /** Checked before each batch: an abort stops the call (with the signal's reason) between batches. */
  signal?: AbortSignal;
  /** Told each object's result as soon as it is known (batches finish together). */
  onResult?: (result: ObjectResult) => void;
  /**
   * Per object (in `refs` order), the table an earlier load routed it to: a replay loads there,
   * whatever the routing rules say now. Undefined entries are routed as usual.
   */
  recordedTables?: readonly (string | undefined)[];
}

/** An object routed and read, ready to be batched. */
interface Ready extends Batchable {
  index: number;
  /** Rows the footer declares. */
  rows: number;
  uri: string;
  identity: string;
  settings: TableSettings;
}

export function objectUri(ref: ObjectRef): string {
  return ref.bucket.startsWith('/') || ref.bucket.startsWith('.')
    ? `file://${resolvePath(ref.bucket, ref.key)}`
    : `s3://${ref.bucket}/${ref.key}`;
}

/** The fix for a failure: the error's own tip, which every error of the one model declares. */
function tipFor(error: Error): string {
  return error instanceof LakeloadError ? error.tip : LoaderError.tip;
}

/**
 * The store found the object replaced since its event (S3: another ETag). Nothing is lost: the
 * newer version has an event of its own, so this one is skipped, neither retried nor dead-lettered.
 * Told by name, so that the core never loads the S3 client to ask.
 */
function supersededReason(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'ObjectChangedError') return undefined;
  return `a newer version of the object superseded this event (${error.message}); its own event loads it, so nothing needs replaying`;
}

export class Loader {
  readonly #driver: Driver;
  readonly #tables: Readonly<Record<string, TableSettings>>;
  readonly #rules: readonly RoutingRule[];
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #notifiers: readonly Notifier[];
  readonly #maxBatchFiles: number;
  readonly #logger: Logger;
  #ledgerReady: Promise<void> | undefined;

  constructor(options: LoaderOptions) {
    this.#driver = options.driver;
    this.#tables = { ...DEFAULT_TABLES, ...options.tables };
    this.#rules = options.rules ?? [];
    this.#attempts = options.attempts ?? 5;
    this.#backoffMs = options.backoffMs ?? 50;
    this.#notifiers = options.notifiers ?? [];
    this.#logger = options.logger ?? silentLogger;
    const most = this.#driver.capabilities.maxBatchFiles;
    this.#maxBatchFiles = Math.max(1, Math.min(most, options.maxBatchFiles ?? most));
  }

  async #notify(event: LoadEvent): Promise<void> {
    await Promise.all(
      this.#notifiers.map((notifier) =>
        notifier.notify(event).catch((error: unknown) => {
          this.#logger.warn(`a notifier failed: ${error instanceof Error ? error.message : String(error)}`);
        }),
      ),
    );
  }

  settingsFor(table: string): TableSettings {
    return this.#tables[table] ?? { keys: [], contract: 'evolve' };
  }

  /** Within a batch: an abort waits for the batch to end, so no retry is cut short by it. */
  #retrying<T>(work: () => Promise<T>): Promise<T> {
    return retry(work, { attempts: this.#attempts, backoffMs: this.#backoffMs });
  }

  /** Loads one local Parquet file described by `ref`: `loadObjects` with one object. */
  async loadFile(ref: ObjectRef, path: string): Promise<ObjectResult> {
    const [result] = await this.loadObjects(
      [ref],
      localStore(() => path),
    );
    if (!result) throw new LoaderError(`no result for ${objectUri(ref)}`);
    return result;
  }

  /**
   * Loads objects read through `store`: files of one table with identical columns load together
   * in one transaction (at most the dialect's `maxBatchFiles`), oldest first. One result per object,
   * in the order of `refs`; each object's notifications as with `loadFile`.
   */
  async loadObjects(
    refs: readonly ObjectRef[],
    store: ObjectStore,
    options: LoadObjectsOptions = {},
  ): Promise<ObjectResult[]> {
    const started = performance.now();
    const results: ObjectResult[] = [];
    const finish = async (index: number, result: ObjectResult) => {
      results[index] = result;
      await this.#notify(eventOf(result));
      options.onResult?.(result);
    };
    const uris = refs.map((ref) => objectUri(ref));
    for (const uri of uris) await this.#notify({ type: 'received', at: new Date().toISOString(), uri });
    // The ledger's tables are settled while the footers are read (a first load's DDL and catalog
    // reads, some 35 ms on DuckDB); a failure here is met again where the ledger is awaited.
    if (refs.length > 0) this.#ledger().catch(() => {});
    const prepared = await mapLimit(refs, READS_IN_FLIGHT, (ref, index) =>
      this.#prepare(ref, uris[index] as string, index, store, started, options.recordedTables?.[index]),
    );
    const ready: Ready[] = [];
    for (const [index, outcome] of prepared.entries()) {
      if ('columns' in outcome) ready.push(outcome);
      else await finish(index, outcome);
    }
    for (const batch of planBatches(ready, this.#maxBatchFiles)) {
      options.signal?.throwIfAborted();
      await this.#loadBatch(batch, store, started, finish);
    }
    return results;
  }

  /** Route and footer: a ready object, or its result when it is skipped or cannot load. */
  async #prepare(
    ref: ObjectRef,
    uri: string,
    index: number,
    store: ObjectStore,
    started: number,
    recorded: string | undefined,
  ): Promise<Ready | ObjectResult> {
    const elapsed = () => Math.round(performance.now() - started);
    const identity = ref.versionId ?? ref.etag;
    let table: string | undefined;
    try {
      const routed = route(ref.key, ref.size, this.#rules, recorded);
      if (routed.action === 'skip')
        return { uri, status: 'skipped', reason: routed.reason, durationMs: elapsed() };
      table = routed.table;
      const source = await this.#retrying(() => store.open(ref));
      const schema = await readParquetSchema(source).finally(() => source.close());
      const names = this.#driver.capabilities.names;
      checkTableName(table, names);
      checkColumnNames(table, schema.columns, names);
      const settings = this.settingsFor(table);
      const fileColumns = new Set(schema.columns.map((column) => column.name));
      const missing = [...settings.keys, ...(settings.version ? [settings.version] : [])].filter(
        (name) => !fileColumns.has(name),
      );
      if (missing.length > 0) {
        throw new LoaderError(
          `${table}: the file has no column ${missing.map((name) => `"${name}"`).join(', ')}, which the table's keys or version need`,
        );
      }
      return { ref, index, uri, identity, table, settings, columns: schema.columns, rows: schema.rows };
    } catch (error) {
      const superseded = supersededReason(error);
      if (superseded) return { uri, status: 'skipped', reason: superseded, durationMs: elapsed() };
      return this.#failed({ ref, uri, identity, table }, error, started);
    }
  }

  /** A failure as a result, recorded as a dead letter with a failed ledger row. */
  async #failed(
    object: { ref: ObjectRef; uri: string; identity: string; table: string | undefined },
    error: unknown,
    started: number,
  ): Promise<ObjectResult> {
    const failure = error instanceof Error ? error : new Error(String(error));
    const tip = tipFor(failure);
    const { uri, identity, table } = object;
    const letter = { objectUri: uri, identity, key: object.ref.key, table, error: failure.message, tip };
    // Best effort: when the warehouse itself is what failed, the result still carries the error.
    await this.#ledger()
      .then(() => this.#retrying(() => recordFailure(this.#driver, letter)))
      .catch(() => undefined);
    return {
      uri,
      status: 'failed',
      ...(table ? { table } : {}),
      error: failure.message,
      retryable: failure instanceof LakeloadError && failure.retryable,
      tip,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** One batch: schema settled, files fetched, one transaction; file by file when that fails for good. */
  async #loadBatch(
    batch: readonly Ready[],
    store: ObjectStore,
    started: number,
    finish: (index: number, result: ObjectResult) => Promise<void>,
  ): Promise<void> {
    const [first] = batch;
    if (!first) return;
    const elapsed = () => Math.round(performance.now() - started);
    const report = (item: Ready, outcome: LoadOutcome): ObjectResult =>
      outcome.status === 'duplicate'
        ? { uri: item.uri, status: 'duplicate', table: item.table, durationMs: elapsed() }
        : { uri: item.uri, table: item.table, ...outcome, durationMs: elapsed() };
    try {
      await this.#settleTable(first.table, first.columns, first.settings);
    } catch (error) {
      for (const item of batch) await finish(item.index, await this.#failed(item, error, started));
      return;
    }
    const fetched: { item: Ready; job: LoadJob; release: () => Promise<void> }[] = [];
    try {
      const files = await mapLimit(batch, READS_IN_FLIGHT, (item) =>
        this.#fetch(item, store).then(
          (file) => ({ item, file }),
          (error: unknown) => ({ item, error }),
        ),
      );
      for (const outcome of files) {
        if ('file' in outcome)
          fetched.push({ item: outcome.item, job: outcome.file.job, release: outcome.file.release });
        else await finish(outcome.item.index, await this.#unfetched(outcome.item, outcome.error, started));
      }
      if (fetched.length === 0) return;
      try {
        const outcomes = await this.#retrying(() => this.#load(fetched.map(({ job }) => job)));
        for (const [position, { item }] of fetched.entries())
          await finish(item.index, report(item, outcomes[position] as LoadOutcome));
        return;
      } catch (error) {
        const retryable = error instanceof LakeloadError && error.retryable;
        const [only] = fetched;
        if (only && fetched.length === 1) {
          await finish(
            only.item.index,
            await this.#unfetched(only.item, await this.#explain(only, error, store), started),
          );
          return;
        }
        if (retryable) {
          for (const { item } of fetched)
            await finish(item.index, await this.#unfetched(item, error, started));
          return;
        }
      }
      // The batch failed for good: one file is to blame (or several); each loads or fails alone.
      for (const file of fetched) {
        try {
          const [outcome] = await this.#retrying(() => this.#load([file.job]));
          await finish(file.item.index, report(file.item, outcome as LoadOutcome));
        } catch (error) {
          // A warehouse that reads the store itself finds a replaced object only now.
          await finish(
            file.item.index,
            await this.#unfetched(file.item, await this.#explain(file, error, store), started),
          );
        }
      }
    } finally {
      for (const { release } of fetched) await release().catch(() => {});
    }
  }

  /**
   * A file that failed to load alone, for good: when one of its values is what its column's type
   * cannot hold, the error names the file, the column and the row and says what to fix; otherwise
   * the warehouse's own error stands. The file's columns are read only now, on this failure path,
   * and not past MAX_SEARCHED_BYTES.
   */
  async #explain(file: { item: Ready; job: LoadJob }, error: unknown, store: ObjectStore): Promise<unknown> {
    const { item, job } = file;
    if ((error instanceof LakeloadError && error.retryable) || supersededReason(error)) return error;
    if (item.ref.size > MAX_SEARCHED_BYTES) return error;
    const local = this.#driver.capabilities.copiesFromObjectStore
      ? await store.localFile(item.ref).catch(() => undefined)
      : { path: job.path, release: async () => {} };
    if (!local) return error;
    try {
      const values = this.#driver.capabilities.values;
      const bad = await findBadValue(local.path, item.columns, {
        textHoldsNul: values?.textHoldsNul ?? false,
        jsonRefusesNulEscape: values?.jsonRefusesNulEscape ?? false,
      });
      if (!bad) return error;
      return new ValueError(`${item.uri}: column "${bad.column}", row ${bad.row}: ${bad.problem}`, {
        tip: bad.fix,
        cause: error,
      });
    } catch {
      // The search is an explanation only: a file it cannot read keeps the warehouse's error.
      return error;
    } finally {
      await local.release().catch(() => {});
    }
  }

  /**
   * An object whose bytes could not be fetched (here, or by a warehouse that reads the store
   * itself): skipped when a newer version superseded it, else failed.
   */
  async #unfetched(item: Ready, error: unknown, started: number): Promise<ObjectResult> {
    const reason = supersededReason(error);
    if (!reason) return this.#failed(item, error, started);
    return { uri: item.uri, status: 'skipped', reason, durationMs: Math.round(performance.now() - started) };
  }

  /** The driver's load, held to its contract of one outcome per job. */
  async #load(jobs: readonly LoadJob[]): Promise<LoadOutcome[]> {
    const outcomes = await this.#driver.load(jobs);
    if (outcomes.length !== jobs.length) {
      throw new LoaderError(
        `the warehouse driver answered ${outcomes.length} outcomes for ${jobs.length} files; it must answer one per file`,
      );
    }
    return outcomes;
  }

  /** The job for one object: a local copy of its bytes, unless the warehouse reads the store itself. */
  async #fetch(item: Ready, store: ObjectStore): Promise<{ job: LoadJob; release: () => Promise<void> }> {
    const base = {
      table: item.table,
      settings: item.settings,
      columns: item.columns,
      object: item.ref,
      objectUri: item.uri,
      identity: item.identity,
      rows: item.rows,
    };
    if (this.#driver.capabilities.copiesFromObjectStore) {
      return { job: { ...base, path: `s3://${item.ref.bucket}/${item.ref.key}` }, release: async () => {} };
    }
    const file = await this.#retrying(() => store.localFile(item.ref));
    return { job: { ...base, path: file.path }, release: file.release };
  }

  /** Dead letters not replayed yet: the objects to load again once their cause is fixed. */
  deadLetters(): Promise<PendingLetter[]> {
    return pendingDeadLetters(this.#driver);
  }

  /**
   * Loads dead letters' objects again (`refs[i]` is `letters[i]`'s object as it is now, under its
   * original key), each into the table its first load routed it to, and marks each letter that
   * loads, or turns out loaded already, as replayed. One result per letter.
   */
  async replay(
    letters: readonly PendingLetter[],
    refs: readonly ObjectRef[],
    store: ObjectStore,
    options: Omit<LoadObjectsOptions, 'recordedTables'> = {},
  ): Promise<ObjectResult[]> {
    const results = await this.loadObjects(refs, store, {
      ...options,
      recordedTables: letters.map((letter) => letter.table),
    });
    for (const [index, result] of results.entries()) {
      const letter = letters[index];
      if (letter && (result.status === 'loaded' || result.status === 'duplicate'))
        await this.markReplayed(letter.uri, letter.identity);
    }
    return results;
  }

  /** Marks a dead letter as handled after its object loaded (or was found loaded already). */
  markReplayed(uri: string, identity: string): Promise<void> {
    return markReplayed(this.#driver, uri, identity);
  }

  /** The ledger tables, created once per loader (retried; a failed attempt is tried again later). */
  #ledger(): Promise<void> {
    this.#ledgerReady ??= this.#retrying(() => createLedger(this.#driver)).catch((error: unknown) => {
      this.#ledgerReady = undefined;
      throw error;
    });
    return this.#ledgerReady;
  }

  /** Creates the ledger and the target, or evolves the target: committed before the load starts. */
  async #settleTable(table: string, columns: readonly Column[], settings: TableSettings): Promise<void> {
    const compiler = this.#driver.compiler;
    await this.#ledger();
    await this.#retrying(async () => {
      const target = await this.#driver.tableColumns(table);
      if (!target) {
        await this.#driver.runDdl([compiler.createTable(table, columns)]);
        return;
      }
      const change = evolve(target, columns, settings.contract, table, this.#driver.capabilities.names);
      await this.#driver.runDdl([
        ...change.add.map((column) => compiler.addColumn(table, column)),
        ...change.widen.map((widen) => compiler.widenColumn(table, widen.name, widen.to)),
      ]);
    });
  }
}
