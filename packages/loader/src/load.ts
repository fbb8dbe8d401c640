// The stages in order for one object: route → read the schema → settle the table's schema →
// load in one transaction (with the ledger row) → report. Retries what may succeed again.
import { resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoaderError } from './errors.js';
import type { ObjectRef } from './events/types.js';
import { eventOf, type LoadEvent, type Notifier } from './notify/notifier.js';
import { type RoutingRule, route } from './routing/route.js';
import { evolve } from './schema/evolve.js';
import { fileSource, readParquetSchema } from './schema/parquet.js';
import type { Driver, TableSettings } from './warehouse/dialect.js';
import type { DeadLetter } from './warehouse/sql-compiler.js';

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

export function objectUri(ref: ObjectRef): string {
  return ref.bucket.startsWith('/') || ref.bucket.startsWith('.')
    ? `file://${resolvePath(ref.bucket, ref.key)}`
    : `s3://${ref.bucket}/${ref.key}`;
}

function tipFor(error: Error): string {
  const name = error.name;
  if (name === 'ParquetFormatError')
    return 'The object is not readable Parquet: re-export it and upload it again.';
  if (name === 'SchemaDriftError')
    return "Align the file's column types with the table, or migrate the table, then replay.";
  if (name === 'UnsupportedTypeError')
    return 'Write the column in a supported type (see the type table in the loader README), then replay.';
  if (name === 'RoutingError')
    return 'Add a routing rule for the prefix or move the file under a folder named after its table.';
  return 'Read the error, fix the file or the table settings, then replay the dead letter.';
}

export class Loader {
  readonly #driver: Driver;
  readonly #tables: Readonly<Record<string, TableSettings>>;
  readonly #rules: readonly RoutingRule[];
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #notifiers: readonly Notifier[];
  #ledgerReady: Promise<void> | undefined;

  constructor(options: LoaderOptions) {
    this.#driver = options.driver;
    this.#tables = { ...DEFAULT_TABLES, ...options.tables };
    this.#rules = options.rules ?? [];
    this.#attempts = options.attempts ?? 5;
    this.#backoffMs = options.backoffMs ?? 50;
    this.#notifiers = options.notifiers ?? [];
  }

  async #notify(event: LoadEvent): Promise<void> {
    await Promise.all(
      this.#notifiers.map((notifier) =>
        notifier.notify(event).catch((error: unknown) => {
          process.stderr.write(
            `lakeload: a notifier failed: ${error instanceof Error ? error.message : String(error)}\n`,
          );
        }),
      ),
    );
  }

  settingsFor(table: string): TableSettings {
    return this.#tables[table] ?? { keys: [], contract: 'evolve' };
  }

  async #retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof LoaderError) || !error.retryable || attempt >= this.#attempts) throw error;
        await sleep(Math.random() * this.#backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  /** Loads one local Parquet file described by `ref` (the local watcher's and the CLI's path). */
  async loadFile(ref: ObjectRef, path: string): Promise<ObjectResult> {
    const uri = objectUri(ref);
    await this.#notify({ type: 'received', at: new Date().toISOString(), uri });
    const result = await this.#loadFile(ref, path, uri);
    await this.#notify(eventOf(result));
    return result;
  }

  async #loadFile(ref: ObjectRef, path: string, uri: string): Promise<ObjectResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let table: string | undefined;
    try {
      const routed = route(ref.key, ref.size, this.#rules);
      if (routed.action === 'skip')
        return { uri, status: 'skipped', reason: routed.reason, durationMs: elapsed() };
      table = routed.table;
      const source = await fileSource(path);
      const schema = await readParquetSchema(source).finally(() => source.close());
      const settings = this.settingsFor(table);
      const names = new Set(schema.columns.map((column) => column.name));
      const missing = [...settings.keys, ...(settings.version ? [settings.version] : [])].filter(
        (name) => !names.has(name),
      );
      if (missing.length > 0) {
        throw new LoaderError(
          `${table}: the file has no column ${missing.map((name) => `"${name}"`).join(', ')}, which the table's keys or version need`,
        );
      }
      await this.#settleTable(table, schema.columns, settings);
      const identity = ref.versionId ?? ref.etag;
      const targetTable = table;
      const outcome = await this.#retrying(() =>
        this.#driver.load({
          table: targetTable,
          settings,
          columns: schema.columns,
          path,
          objectUri: uri,
          identity,
        }),
      );
      return outcome.status === 'duplicate'
        ? { uri, status: 'duplicate', table, durationMs: elapsed() }
        : { uri, table, ...outcome, durationMs: elapsed() };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const tip = tipFor(failure);
      await this.#recordFailure({
        objectUri: uri,
        identity: ref.versionId ?? ref.etag,
        table,
        error: failure.message,
        tip,
      });
      return {
        uri,
        status: 'failed',
        ...(table ? { table } : {}),
        error: failure.message,
        retryable: failure instanceof LoaderError && failure.retryable,
        tip,
        durationMs: elapsed(),
      };
    }
  }

  /**
   * A failed object becomes a dead letter and a failed ledger row. Best effort: when the warehouse
   * itself is what failed, the caller's result still carries the error.
   */
  async #recordFailure(letter: DeadLetter): Promise<void> {
    const compiler = this.#driver.compiler;
    try {
      await this.#driver.runDdl([
        compiler.createLedger(),
        compiler.createDeadLetters(),
        compiler.recordDeadLetter(letter),
        compiler.recordLoad({
          objectUri: letter.objectUri,
          identity: letter.identity,
          table: letter.table ?? '',
          status: 'failed',
          inserted: 0,
          updated: 0,
          unchanged: 0,
          durationMs: 0,
          error: letter.error,
        }),
      ]);
    } catch {
      // Nothing more to do here: the result returned to the caller reports the failure.
    }
  }

  /** Dead letters not replayed yet: the objects to load again once their cause is fixed. */
  async deadLetters(): Promise<{ uri: string; identity: string }[]> {
    const compiler = this.#driver.compiler;
    await this.#driver.runDdl([compiler.createDeadLetters()]);
    const rows = await this.#driver.query(compiler.pendingDeadLetters());
    return rows.map((row) => ({ uri: String(row.object_uri), identity: String(row.object_identity) }));
  }

  /** Marks a dead letter as handled after its object loaded (or was found loaded already). */
  async markReplayed(uri: string, identity: string): Promise<void> {
    await this.#driver.runDdl([this.#driver.compiler.markReplayed(uri, identity)]);
  }

  /** Creates the ledger and the target, or evolves the target: committed before the load starts. */
  async #settleTable(
    table: string,
    columns: Parameters<typeof evolve>[1],
    settings: TableSettings,
  ): Promise<void> {
    const compiler = this.#driver.compiler;
    this.#ledgerReady ??= this.#retrying(() => this.#driver.runDdl([compiler.createLedger()])).catch(
      (error: unknown) => {
        this.#ledgerReady = undefined;
        throw error;
      },
    );
    await this.#ledgerReady;
    await this.#retrying(async () => {
      const target = await this.#driver.tableColumns(table);
      if (!target) {
        await this.#driver.runDdl([compiler.createTable(table, columns)]);
        return;
      }
      const change = evolve(target, columns, settings.contract, table);
      await this.#driver.runDdl([
        ...change.add.map((column) => compiler.addColumn(table, column)),
        ...change.widen.map((widen) => compiler.widenColumn(table, widen.name, widen.to)),
      ]);
    });
  }
}
