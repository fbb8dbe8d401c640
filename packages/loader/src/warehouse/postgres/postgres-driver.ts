import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LoaderError, PostgresError } from '../../errors.js';
import { redact as redactUrl } from '../../redact.js';
import type { Column } from '../../schema/parquet.js';
import type { Driver, LoadJob, LoadOutcome } from '../dialect.js';
import { DuckDBSqlCompiler } from '../duckdb/duckdb-sql-compiler.js';
import { checkUnchanged, stampFiles } from '../file-stamps.js';
import { describeBatch, loadBatch, type Staged, type Statements } from '../merge.js';
import { postgresCapabilities } from './postgres-adapter.js';
import type { PostgresDialectConfig } from './postgres-dialect-config.js';
import { columnsSql, toColumns } from './postgres-introspector.js';
import { type KeyBounds, PostgresSqlCompiler } from './postgres-sql-compiler.js';
import { isWideDecimal, readWideDecimals } from './wide-decimals.js';

// SQLSTATE classes and codes worth another attempt: serialization failures, deadlocks, lost or
// refused connections, an administrator's shutdown, lock timeouts.
const RETRYABLE = /^(40001|40P01|08...|57P0[1-3]|53300|55P03)$/;

function redact(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => redactUrl(url));
}

// Two loaders changing the same schema at once: the loser's CREATE … IF NOT EXISTS or ADD COLUMN
// collides (in PostgreSQL's own catalog, or as "already exists"); tried again, it finds the work done.
const SCHEMA_RACE = /^(42P07|42710|42701)$/;

// Data exceptions a row's value raises, by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html):
// the tip says what to fix where the loader could not name the value itself.
const VALUE_TIPS: Readonly<Record<string, string>> = {
  '22003':
    "A number is larger than its column's type holds (numeric field overflow): widen the column's decimal or integer type in the file, or correct the value, then replay.",
  '22021':
    'A text value holds a NUL character or bytes that are not UTF-8, which PostgreSQL text cannot store: clean the column in the file, then replay.',
  '22P05':
    "A JSON value holds the escape \\u0000, which PostgreSQL's jsonb cannot store: remove it from the file, then replay.",
};

/** PostgreSQL's errors at the boundary, classified by SQLSTATE; never echoes the password. */
export function mapPostgresError(error: unknown, context: string, { ddl = false } = {}): LoaderError {
  if (error instanceof LoaderError) return error;
  const code = (error as { code?: unknown }).code;
  const message = redact(error instanceof Error ? error.message : String(error));
  const connectionLost =
    (typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)$/.test(code)) ||
    /Connection terminated|connection timeout/i.test(message);
  const schemaRace =
    ddl &&
    typeof code === 'string' &&
    (SCHEMA_RACE.test(code) || (code === '23505' && /pg_type|pg_class/.test(message)));
  const retryable = (typeof code === 'string' && RETRYABLE.test(code)) || connectionLost || schemaRace;
  const tip = typeof code === 'string' ? VALUE_TIPS[code] : undefined;
  return new PostgresError(`${context}: ${message}${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}`, {
    retryable,
    cause: error,
    code: typeof code === 'string' ? code : undefined,
    ...(tip ? { tip } : {}),
  });
}

/** The in-process reader's own SQL (DuckDB's) for ranking a batch's rows before they are sent. */
const rankingSql = new DuckDBSqlCompiler();

// Types the reader compares as PostgreSQL does: equal keys are equal in both (text with a
// deterministic collation is equal byte for byte; jsonb normalizes, floats print and parse), and
// versions order alike (text versions follow the collation in PostgreSQL, bytes in DuckDB).
const SAME_EQUALITY = new Set(['int', 'decimal', 'string', 'date', 'timestamp', 'boolean', 'uuid', 'binary']);
const SAME_ORDER = new Set(['int', 'decimal', 'date', 'timestamp', 'boolean']);

/**
 * A keyed batch into stored rows is split by the stored key range (`storedKeyRange`) only when the
 * table is at most this many times the batch's Parquet bytes: the range costs a scan of the table,
 * and what it saves (staging, then joining, the rows that meet nothing) grows with the batch.
 */
const SPLIT_TABLE_TO_BATCH = 16;

/** Key types whose order the reader's bounds (numbers) follow exactly as PostgreSQL's. */
const NUMERIC_KEYS = new Set(['int', 'decimal']);

/** True when the column is of one of `kinds` as the reader reads it exactly (decimals up to 38 digits). */
function readAs(columns: readonly Column[], name: string, kinds: ReadonlySet<string>): boolean {
  const type = columns.find((column) => column.name === name)?.type;
  return type !== undefined && kinds.has(type.kind) && !(type.kind === 'decimal' && type.precision > 38);
}

/** True when the reader picks the newest row per key as PostgreSQL would; else every row is staged. */
function rankableByReader(columns: readonly Column[], settings: LoadJob['settings']): boolean {
  return (
    settings.keys.every((key) => readAs(columns, key, SAME_EQUALITY)) &&
    (settings.version === undefined || readAs(columns, settings.version, SAME_ORDER))
  );
}

/**
 * PostgreSQL through node-postgres. Rows travel by COPY … FROM STDIN: an in-process DuckDB reads
 * the Parquet file a chunk at a time and turns each row into a COPY text line, so memory stays flat
 * whatever the file's size.
 */
export class PostgresDriver implements Driver {
  readonly compiler = new PostgresSqlCompiler();
  readonly capabilities = postgresCapabilities;
  #reader: Promise<DuckDBInstance> | undefined;
  /** Connections whose temp_buffers are set (before their first staging table: later it is refused). */
  readonly #tuned = new WeakSet<pg.PoolClient>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly memory: { tempBuffersMb: number; workMemMb: number },
  ) {}

  static async open(config: PostgresDialectConfig): Promise<PostgresDriver> {
    const pool = new pg.Pool({ connectionString: config.connectionString, max: config.maxConnections ?? 4 });
    // A pooled client's background error must not crash the process; the next query reports it.
    pool.on('error', () => {});
    let schema: unknown;
    try {
      const client = await pool.connect();
      try {
        schema = (await client.query('SELECT current_schema() AS current')).rows[0]?.current;
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw mapPostgresError(error, 'cannot connect to PostgreSQL');
    }
    if (typeof schema !== 'string') {
      await pool.end();
      throw new LoaderError(
        'the connection has no current schema: its search_path names no schema that exists. Create the schema, or set options=-c search_path=<schema> in the warehouse URL',
      );
    }
    const mb = (value: number | undefined) => Math.max(1, Math.trunc(value ?? 128));
    const driver = new PostgresDriver(pool, {
      tempBuffersMb: mb(config.tempBuffersMb),
      workMemMb: mb(config.workMemMb),
    });
    // Every table name is qualified by this schema: unqualified, PostgreSQL resolves pg_catalog first.
    driver.compiler.schema = schema;
    return driver;
  }

  /**
   * A connection of the in-process DuckDB that reads Parquet, one per load: loads running side by
   * side on one driver each stream their own result (a shared connection would cut one short).
   */
  async #parquetReader(): Promise<DuckDBConnection> {
    this.#reader ??= (async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      // Ranking a large batch spills past the memory limit: into a folder of this driver's own.
      return DuckDBInstance.create(':memory:', {
        memory_limit: '128MB',
        threads: '1',
        temp_directory: join(tmpdir(), `lakeload-reader-${process.pid}-${randomUUID()}`),
      });
    })();
    const connection = await (await this.#reader).connect();
    await connection.run("SET TimeZone = 'UTC'");
    // A GeoParquet file's WKB column ("geo" metadata) stays the binary the footer declares, as
    // every other reader takes it, not DuckDB's GEOMETRY, which no column type here takes.
    await connection.run('SET enable_geoparquet_conversion = false');
    return connection;
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    try {
      const result = await this.pool.query(sql);
      return result.rows.map((row: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key,
            value instanceof Date ? value.toISOString() : value,
          ]),
        ),
      );
    } catch (error) {
      throw mapPostgresError(error, 'query failed');
    }
  }

  async tableColumns(table: string): Promise<Column[] | undefined> {
    const rows = await this.query(columnsSql(this.compiler, table));
    return rows.length === 0 ? undefined : toColumns(rows);
  }

  async runDdl(statements: readonly string[]): Promise<void> {
    for (const sql of statements) {
      try {
        await this.pool.query(sql);
      } catch (error) {
        throw mapPostgresError(error, 'schema change failed', { ddl: true });
      }
    }
  }

  /**
   * Streams a batch's files through one COPY; memory stays flat in their size. For a keyed table
   * the reader first ranks the rows by their keys and version alone, so that only the newest row
   * per key is sent, and answers the census it counted; with `direct` they go into the target.
   */
  async #copyFiles(
    client: pg.PoolClient,
    staging: string,
    jobs: readonly LoadJob[],
    { rank, direct, split }: { rank: boolean; direct: boolean; split: readonly KeyBounds[] | undefined },
  ): Promise<Staged | undefined> {
    const [first] = jobs;
    if (!first) return undefined;
    const reader = await this.#parquetReader();
    const paths = jobs.map((job) => job.path);
    const { settings } = first;
    try {
      if (!rank) {
        await this.#streamFiles(reader, client, staging, jobs, {
          wide: await this.#stageWideDecimals(reader, staging, jobs),
        });
        return undefined;
      }
      const stamps = await stampFiles(paths);
      const positions = `${staging}_positions`;
      await reader.run(rankingSql.createPositions(positions, first.columns, settings));
      // Only the losers are kept: the stream leaves them out, and a position for every row (150 MB
      // for a 3M-row file) would spill past the reader's memory limit.
      for (const sql of rankingSql.stageLosers(positions, settings, paths)) await reader.run(sql);
      const declared = jobs.map((job) => job.rows);
      const census = (
        await reader.runAndReadAll(rankingSql.losersCensus(positions, settings.keys, paths, declared))
      ).getRowObjectsJson();
      // A batch with rows without a key is refused from the census: nothing needs sending.
      if (census.some((row) => Number(row.null_keys) > 0)) return { census };
      const wide = await this.#stageWideDecimals(reader, staging, jobs);
      const stream = (table: string, direct: boolean, inside?: boolean) =>
        this.#streamFiles(reader, client, table, jobs, {
          kept: { positions, settings },
          direct,
          wide,
          range: split && inside !== undefined ? { bounds: split, inside } : undefined,
        });
      let staged: Staged = { census };
      if (direct) staged = { census, direct, written: await stream(first.table, true) };
      else if (!split) await stream(staging, false);
      else {
        // The rows that can meet no stored row go straight in; only the others are staged and joined.
        const alsoWritten = await stream(first.table, true, false);
        await stream(staging, false, true);
        staged = { census, alsoWritten };
      }
      // The losers were left out by position: the files must be the ones that were ranked.
      await checkUnchanged(stamps);
      return staged;
    } finally {
      reader.closeSync();
    }
  }

  /**
   * Fills the reader's table of the batch's decimals of more than 38 digits, read exactly a row
   * group at a time (see wide-decimals.ts), and answers its name; undefined, and nothing read, when
   * the files have none.
   */
  async #stageWideDecimals(
    reader: DuckDBConnection,
    staging: string,
    jobs: readonly LoadJob[],
  ): Promise<string | undefined> {
    const wide = (jobs[0]?.columns ?? []).filter((column) => isWideDecimal(column.type));
    if (wide.length === 0) return undefined;
    const table = `${staging}_wide`;
    await reader.run(this.compiler.wideDecimalTable(table, wide));
    const appender = await reader.createAppender(table, 'main', 'temp');
    try {
      for (const [ordinal, job] of jobs.entries()) {
        for await (const { firstRow, values } of readWideDecimals(job.path, wide)) {
          const columns = wide.map((column) => values[column.name] ?? []);
          const count = columns[0]?.length ?? 0;
          for (let row = 0; row < count; row++) {
            appender.appendInteger(ordinal);
            appender.appendBigInt(BigInt(firstRow + row));
            for (const column of columns) {
              const text = column[row];
              if (text === null || text === undefined) appender.appendNull();
              else appender.appendVarchar(text);
            }
            appender.endRow();
          }
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return table;
  }

  /**
   * The stored range of each key column, where splitting the batch by it may pay (see
   * `SPLIT_TABLE_TO_BATCH`): numeric keys, a table not far larger than the batch. `none` when no
   * stored row has a value in some key column: no row of the batch can meet one.
   */
  async #storedKeyRange(
    client: pg.PoolClient,
    jobs: readonly LoadJob[],
  ): Promise<readonly KeyBounds[] | 'none' | undefined> {
    const [first] = jobs;
    if (!first) return undefined;
    const { keys } = first.settings;
    if (!keys.every((key) => readAs(first.columns, key, NUMERIC_KEYS))) return undefined;
    const batchBytes = jobs.reduce((sum, job) => sum + job.object.size, 0);
    const [size] = (await client.query(this.compiler.tableBytes(first.table))).rows;
    if (Number(size?.bytes) > SPLIT_TABLE_TO_BATCH * batchBytes) return undefined;
    const [range] = (await client.query(this.compiler.storedKeyRange(first.table, keys))).rows;
    const bounds = keys.map((key, index) => ({
      key,
      lo: range?.[`lo${index}`] as string | null,
      hi: range?.[`hi${index}`] as string | null,
    }));
    if (bounds.some(({ lo, hi }) => lo === null || hi === null)) return 'none';
    return bounds.map(({ key, lo, hi }) => ({ key, lo: String(lo), hi: String(hi) }));
  }

  /**
   * True when every file column has in the target the type staging would give it: only then do
   * rows COPYed straight into the target read as they would through staging (a float32 value
   * printed and parsed as double precision would not).
   */
  async #targetTakesFileTypes(client: pg.PoolClient, table: string, columns: readonly Column[]) {
    const target = toColumns((await client.query(columnsSql(this.compiler, table))).rows);
    const typeName = (column: Column) => this.compiler.columnType(column.type, column.name);
    return columns.every((column) => {
      const stored = target.find((candidate) => candidate.name === column.name);
      return stored !== undefined && stored.type.kind !== 'nested' && typeName(stored) === typeName(column);
    });
  }

  /** One COPY fed from the reader's stream of lines; answers the rows PostgreSQL took. */
  async #streamFiles(
    reader: DuckDBConnection,
    client: pg.PoolClient,
    table: string,
    jobs: readonly LoadJob[],
    options: Parameters<PostgresSqlCompiler['copyLinesFromParquet']>[2],
  ): Promise<number> {
    const [first] = jobs;
    if (!first) return 0;
    const names = first.columns.map((column) => column.name);
    const result = await reader.stream(
      this.compiler.copyLinesFromParquet(
        first.columns,
        jobs.map((job) => job.path),
        options,
      ),
    );
    const copy = client.query(copyFrom(this.compiler.copyFromStdin(table, names, options?.direct)));
    // PostgreSQL can refuse a row at any moment (a NUL byte in text, say); the error is kept here and
    // raised at the next step, never left to crash the process as an unhandled event.
    let failure: Error | undefined;
    copy.on('error', (error: Error) => {
      failure ??= error;
    });
    const finished = once(copy, 'finish');
    finished.catch(() => {});
    try {
      for (
        let chunk = await result.fetchChunk();
        chunk && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        if (failure) throw failure;
        const lines = chunk.getColumnValues(0) as string[];
        if (!copy.write(`${lines.join('\n')}\n`)) await once(copy, 'drain');
      }
      copy.end();
      await finished;
      if (failure) throw failure;
      return copy.rowCount;
    } catch (error) {
      copy.destroy();
      throw failure ?? error;
    }
  }

  async load(jobs: readonly LoadJob[]): Promise<LoadOutcome[]> {
    const [first] = jobs;
    if (!first) return [];
    const c = this.compiler;
    const client = await this.pool.connect().catch((error: unknown) => {
      throw mapPostgresError(error, `connecting to load ${describeBatch(jobs)}`);
    });
    const statements: Statements = {
      rows: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
      changed: async (sql) => (await client.query(sql)).rowCount ?? 0,
      run: async (sql) => void (await client.query(sql)),
    };
    try {
      if (!this.#tuned.has(client)) {
        await client.query(`SET temp_buffers = '${this.memory.tempBuffersMb}MB'`);
        this.#tuned.add(client);
      }
      await client.query('BEGIN');
      await client.query(`SET LOCAL work_mem = '${this.memory.workMemMb}MB'`);
      const outcomes = await loadBatch(
        statements,
        c,
        this.capabilities,
        jobs,
        `lakeload_stage_${process.pid}`,
        async (staging, files, { mayGoDirect }) => {
          const rank = first.settings.keys.length > 0 && rankableByReader(first.columns, first.settings);
          // With stored rows, those of the batch outside their key range can still go straight in.
          const range = rank && !mayGoDirect ? await this.#storedKeyRange(client, files) : undefined;
          const takesFileTypes =
            rank &&
            (mayGoDirect || range !== undefined) &&
            (await this.#targetTakesFileTypes(client, first.table, first.columns));
          const direct = takesFileTypes && (mayGoDirect || range === 'none');
          const split = takesFileTypes && range !== 'none' ? range : undefined;
          if (!direct) await client.query(`${c.createStaging(staging, first.columns)} ON COMMIT DROP`);
          return this.#copyFiles(client, staging, files, { rank, direct, split });
        },
      );
      await client.query('COMMIT');
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw mapPostgresError(error, `loading ${describeBatch(jobs)} into ${first.table}`);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    const reader = await this.#reader;
    reader?.closeSync();
    await this.pool.end();
  }
}
