import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '@lakeload/commons';
import { LoaderError } from '../../errors.js';
import type { Column } from '../../schema/parquet.js';
import type { Driver, LoadJob, LoadOutcome } from '../dialect.js';
import { checkUnchanged, type FileStamps, stampFiles } from '../file-stamps.js';
import { describeBatch, loadBatch, type Statements } from '../merge.js';
import { duckdbCapabilities } from './duckdb-adapter.js';
import type { DuckDBDialectConfig } from './duckdb-dialect-config.js';
import { columnsSql, toColumns } from './duckdb-introspector.js';
import { DuckDBSqlCompiler } from './duckdb-sql-compiler.js';

/** DuckDB's errors at the boundary: conflicts are worth retrying, data errors are not. */
function mapDuckDBError(error: unknown, context: string): LoaderError {
  if (error instanceof LoaderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const retryable = /Transaction conflict|Conflict on|Could not set lock|database is locked/i.test(message);
  return new LoaderError(`${context}: ${message}`, { retryable, cause: error });
}

/** Runs `work` for one table after every earlier job of that table has finished. */
class TableQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(table: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(table) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    this.#tails.set(table, tail);
    void tail.then(() => {
      if (this.#tails.get(table) === tail) this.#tails.delete(table);
    });
    return next;
  }
}

let stagingCounter = 0;

/**
 * DuckDB's memory limit in MiB while a large load written straight into its table runs alone on
 * a database file, where no limit is configured. Without one DuckDB keeps every block the load
 * wrote cached (up to 80% of RAM); at this limit it evicts them (they are in the file) and spills
 * its operators to the temp directory beside it. Measured on the bench's 3M-row file into a fresh
 * table: without a limit 368 MB peak RSS; at 128 MiB 264–299 MB, at 96 MiB 239–287 MB (8 runs each,
 * times within each other's spread, 1.9–2.7 s), at 64 MiB 210–242 MB but up to 2.6 s. The default
 * limit (80% of RAM) and the spill: https://duckdb.org/docs/stable/operations_manual/limits
 */
const LOAD_MEMORY_LIMIT_MIB = 96;

/**
 * A load is large when the key, version and position of its rows (the ranking holds them, some
 * 64 bytes a row) would fill the limit. A smaller one stays well under it, and the limit only
 * slowed it (the bench's 30-file batch of 590k rows into a populated table: 1.5 → 1.9 s).
 */
const largeLoad = (jobs: readonly LoadJob[]) =>
  jobs.reduce((rows, job) => rows + (job.rows ?? 0), 0) * 64 >= LOAD_MEMORY_LIMIT_MIB * 2 ** 20;

/** DuckDB ran out of memory (its error names no code; the message says which). */
function outOfMemory(error: unknown): boolean {
  const cause = error instanceof LoaderError ? error.cause : error;
  return cause instanceof Error && cause.message.startsWith('Out of Memory Error');
}

export class DuckDBDriver implements Driver {
  readonly compiler = new DuckDBSqlCompiler();
  readonly capabilities = duckdbCapabilities;
  readonly #queue = new TableQueue();
  /** Loads in flight, of any table: the limit is lowered only for one running alone. */
  #running = 0;
  /** True while the database runs at the per-load limit. */
  #lowered = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    /**
     * The per-load memory limit and the database's own to restore after it, or undefined
     * (configured, or an in-memory database).
     */
    private readonly limits: { load: string; own: string } | undefined,
  ) {}

  static async open(config: DuckDBDialectConfig): Promise<DuckDBDriver> {
    // Rows of a table have no order an upsert could keep; keeping insertion order serializes large
    // INSERTs and holds their rows in memory (every read that needs an order says ORDER BY).
    const options: Record<string, string> = { preserve_insertion_order: 'false' };
    // MiB as configured: DuckDB reads "MB" as 1000².
    if (config.memoryLimitMb !== undefined) options.memory_limit = `${config.memoryLimitMb}MiB`;
    if (config.threads !== undefined) options.threads = String(config.threads);
    let driver: DuckDBDriver;
    try {
      // An in-memory database holds its tables within the limit: it keeps DuckDB's.
      const lowered = config.memoryLimitMb === undefined && config.path !== ':memory:';
      const instance = await DuckDBInstance.create(config.path, options);
      let own: string | undefined;
      if (lowered) {
        const connection = await instance.connect();
        const reader = await connection.runAndReadAll("SELECT current_setting('memory_limit') AS own");
        own = String(reader.getRows()[0]?.[0]);
        // Set as read (DuckDB shows it rounded), so that setting it back restores exactly this.
        await connection.run(`SET memory_limit = ${quoteLiteral(own)}`);
        connection.closeSync();
      }
      driver = new DuckDBDriver(
        instance,
        own === undefined ? undefined : { load: `${LOAD_MEMORY_LIMIT_MIB}MiB`, own },
      );
    } catch (error) {
      throw mapDuckDBError(error, `cannot open the DuckDB warehouse ${config.path}`);
    }
    // Every table name is qualified by the schema the tables live in (see SqlCompiler.schema).
    const [row] = await driver.query('SELECT current_schema() AS current');
    driver.compiler.schema = String(row?.current);
    return driver;
  }

  async #withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      // Legacy Parquet timestamps (INT96, converted TIMESTAMP_*) read as local TIMESTAMPs and go
      // into TIMESTAMPTZ columns as the UTC instants they are, whatever the machine's zone.
      await connection.run("SET TimeZone = 'UTC'");
      // A GeoParquet file's WKB column ("geo" metadata) stays the binary the footer declares, as
      // every other reader takes it, not DuckDB's GEOMETRY, which no column type here takes.
      await connection.run('SET enable_geoparquet_conversion = false');
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  async tableColumns(table: string): Promise<Column[] | undefined> {
    return this.#withConnection(async (connection) => {
      const rows = (await connection.runAndReadAll(columnsSql(this.compiler, table))).getRowObjectsJson();
      return rows.length === 0 ? undefined : toColumns(rows);
    });
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return this.#withConnection(async (connection) => {
      try {
        return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      } catch (error) {
        throw mapDuckDBError(error, 'query failed');
      }
    });
  }

  async runDdl(statements: readonly string[]): Promise<void> {
    await this.#withConnection(async (connection) => {
      for (const sql of statements) {
        try {
          await connection.run(sql);
        } catch (error) {
          throw mapDuckDBError(error, 'schema change failed');
        }
      }
    });
  }

  load(jobs: readonly LoadJob[]): Promise<LoadOutcome[]> {
    const [first] = jobs;
    if (!first) return Promise.resolve([]);
    return this.#queue.run(first.table, () =>
      this.#withConnection((connection) =>
        this.#limited(connection, largeLoad(jobs), (lower) => this.#load(connection, jobs, first, lower)),
      ),
    );
  }

  /**
   * Runs a load, which may `lower` the memory limit to the per-load one when it is large and the
   * only one in flight (the limit is the database's, not the connection's): a load that starts
   * beside it lifts the limit for both. A load that runs out of memory under the limit runs again
   * without it, once.
   */
  async #limited<T>(
    connection: DuckDBConnection,
    large: boolean,
    load: (lower: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const limits = this.limits;
    if (limits === undefined) return load(async () => {});
    const mayLower = ++this.#running === 1 && large;
    let lowered = false;
    const lower = async () => {
      if (!mayLower) return;
      await connection.run(`SET memory_limit = ${quoteLiteral(limits.load)}`);
      lowered = this.#lowered = true;
    };
    // Set back to the value read at open: in DuckDB 1.5, RESET memory_limit changes the setting's
    // text but not the buffer manager's limit, so every later load ran (and ran out of memory) at
    // the lowered one (https://github.com/duckdb/duckdb/issues/22203). Only when lowered: setting
    // it makes DuckDB release its cached blocks (some 15 ms after a 1M-row load).
    const restore = async () => {
      if (!this.#lowered) return;
      this.#lowered = false;
      await connection.run(`SET memory_limit = ${quoteLiteral(limits.own)}`);
    };
    try {
      if (!mayLower) await restore();
      try {
        return await load(lower);
      } catch (error) {
        if (!lowered || !outOfMemory(error)) throw error;
        await restore();
        return await load(async () => {});
      }
    } finally {
      this.#running--;
      await restore();
    }
  }

  async #load(
    connection: DuckDBConnection,
    jobs: readonly LoadJob[],
    first: LoadJob,
    lower: () => Promise<void>,
  ): Promise<LoadOutcome[]> {
    const c = this.compiler;
    const staging = `lakeload_stage_${process.pid}_${++stagingCounter}`;
    const statements: Statements = {
      rows: async (sql) =>
        (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
      changed: async (sql) => Number((await connection.run(sql)).rowsChanged),
      run: async (sql) => void (await connection.run(sql)),
    };
    let stamps: FileStamps | undefined;
    await connection.run('BEGIN TRANSACTION');
    try {
      const outcomes = await loadBatch(
        statements,
        c,
        this.capabilities,
        jobs,
        staging,
        async (table, files, { mayGoDirect }) => {
          const paths = files.map((file) => file.path);
          stamps = await stampFiles(paths);
          await connection.run(c.createPositions(table, first.columns, first.settings));
          // Keyless: every position, for the plan's census.
          if (first.settings.keys.length === 0) {
            await connection.run(c.stagePositions(table, first.settings, paths));
            return undefined;
          }
          // Written straight in, a large load evicts what it wrote under the per-load limit. (With
          // stored rows to meet, the limit slowed the bench's 3M-row upsert: 5.3 → 6.7 s.)
          if (mayGoDirect) await lower();
          // Only the losers (and rows without a key) are staged; the insert reads the rest from the files.
          for (const sql of c.stageLosers(table, first.settings, paths)) await connection.run(sql);
          const census = await statements.rows(
            c.losersCensus(
              table,
              first.settings.keys,
              paths,
              files.map((file) => file.rows),
            ),
          );
          // A batch with rows without a key is refused from the census: nothing is written.
          if (!mayGoDirect || census.some((row) => Number(row.null_keys) > 0)) return { census };
          // Nothing stored within the batch's key range: the kept rows go straight into the target.
          const written = await statements.changed(
            c.insertKeptFromFiles(
              table,
              first.table,
              first.columns.map((column) => column.name),
              first.settings,
              paths,
            ),
          );
          return { census, direct: true, written };
        },
      );
      await connection.run(c.dropStaging(staging));
      // Read twice, the files must be the ones that were ranked (the insert may leave losers out by position).
      if (stamps) await checkUnchanged(stamps);
      await connection.run('COMMIT');
      return outcomes;
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => {});
      throw mapDuckDBError(error, `loading ${describeBatch(jobs)} into ${first.table}`);
    }
  }

  async close(): Promise<void> {
    this.instance.closeSync();
  }
}
