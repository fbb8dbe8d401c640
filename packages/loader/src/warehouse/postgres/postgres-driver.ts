import { once } from 'node:events';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LoaderError } from '../../errors.js';
import type { Column } from '../../schema/parquet.js';
import type { Driver, LoadJob, LoadOutcome } from '../dialect.js';
import { describeBatch, loadBatch, type Statements } from '../merge.js';
import { redactUrl } from '../url.js';
import { postgresCapabilities } from './postgres-adapter.js';
import type { PostgresDialectConfig } from './postgres-dialect-config.js';
import { columnsSql, toColumns } from './postgres-introspector.js';
import { PostgresSqlCompiler } from './postgres-sql-compiler.js';

// SQLSTATE classes and codes worth another attempt: serialization failures, deadlocks, lost or
// refused connections, an administrator's shutdown, lock timeouts.
const RETRYABLE = /^(40001|40P01|08...|57P0[1-3]|53300|55P03)$/;

function redact(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => redactUrl(url));
}

// Two loaders changing the same schema at once: the loser's CREATE … IF NOT EXISTS or ADD COLUMN
// collides (in PostgreSQL's own catalog, or as "already exists"); tried again, it finds the work done.
const SCHEMA_RACE = /^(42P07|42710|42701)$/;

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
  return new LoaderError(`${context}: ${message}${typeof code === 'string' ? ` (SQLSTATE ${code})` : ''}`, {
    retryable,
    cause: error,
  });
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
    private readonly tempBuffersMb: number,
  ) {}

  static async open(config: PostgresDialectConfig): Promise<PostgresDriver> {
    const pool = new pg.Pool({ connectionString: config.connectionString, max: config.maxConnections ?? 4 });
    // A pooled client's background error must not crash the process; the next query reports it.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end();
      throw mapPostgresError(error, 'cannot connect to PostgreSQL');
    }
    return new PostgresDriver(pool, Math.max(1, Math.trunc(config.tempBuffersMb ?? 128)));
  }

  /**
   * A connection of the in-process DuckDB that reads Parquet, one per load: loads running side by
   * side on one driver each stream their own result (a shared connection would cut one short).
   */
  async #parquetReader(): Promise<DuckDBConnection> {
    this.#reader ??= (async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      return DuckDBInstance.create(':memory:', { memory_limit: '128MB', threads: '1' });
    })();
    const connection = await (await this.#reader).connect();
    await connection.run("SET TimeZone = 'UTC'");
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

  /** Streams a batch's files into staging through one COPY; memory stays flat in their size. */
  async #copyFiles(client: pg.PoolClient, staging: string, jobs: readonly LoadJob[]): Promise<void> {
    const [first] = jobs;
    if (!first) return;
    const reader = await this.#parquetReader();
    try {
      await this.#streamFiles(reader, client, staging, jobs);
    } finally {
      reader.closeSync();
    }
  }

  async #streamFiles(
    reader: DuckDBConnection,
    client: pg.PoolClient,
    staging: string,
    jobs: readonly LoadJob[],
  ): Promise<void> {
    const [first] = jobs;
    if (!first) return;
    const names = first.columns.map((column) => column.name);
    const result = await reader.stream(
      this.compiler.copyLinesFromParquet(
        first.columns,
        jobs.map((job) => job.path),
      ),
    );
    const copy = client.query(copyFrom(this.compiler.copyIntoStaging(staging, names)));
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
        await client.query(`SET temp_buffers = '${this.tempBuffersMb}MB'`);
        this.#tuned.add(client);
      }
      await client.query('BEGIN');
      const outcomes = await loadBatch(
        statements,
        c,
        this.capabilities,
        jobs,
        `lakeload_stage_${process.pid}`,
        async (staging, files) => {
          await client.query(`${c.createStaging(staging, first.columns)} ON COMMIT DROP`);
          await this.#copyFiles(client, staging, files);
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
