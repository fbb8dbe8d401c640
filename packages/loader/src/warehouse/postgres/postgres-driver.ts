import { once } from 'node:events';
import type { DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LoaderError } from '../../errors.js';
import type { Column } from '../../schema/parquet.js';
import type { Driver, LoadJob, LoadOutcome } from '../dialect.js';
import { alreadyLoaded, mergeStaging } from '../merge.js';
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

// Each value becomes text in COPY's text format: backslash, tab, newline and carriage return are
// escaped and NULL is \N. Binary goes as bytea hex. DuckDB does this vectorized, column by column.
function copyText(column: string, bytes: boolean): string {
  const value = bytes ? `'\\x' || hex(${column})` : `CAST(${column} AS VARCHAR)`;
  return `coalesce(replace(replace(replace(replace(${value}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r'), '\\N')`;
}

/**
 * PostgreSQL through node-postgres. Rows travel by COPY … FROM STDIN: an in-process DuckDB reads
 * the Parquet file a chunk at a time and turns each row into a COPY text line, so memory stays flat
 * whatever the file's size.
 */
export class PostgresDriver implements Driver {
  readonly compiler = new PostgresSqlCompiler();
  readonly capabilities = postgresCapabilities;
  #reader: Promise<DuckDBConnection> | undefined;

  private constructor(private readonly pool: pg.Pool) {}

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
    return new PostgresDriver(pool);
  }

  async #parquetReader(): Promise<DuckDBConnection> {
    this.#reader ??= (async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:', { memory_limit: '128MB', threads: '1' });
      const connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      return connection;
    })();
    return this.#reader;
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

  async #copyFile(client: pg.PoolClient, staging: string, job: LoadJob): Promise<number> {
    const reader = await this.#parquetReader();
    const names = job.columns.map((column) => column.name);
    const line = [
      ...job.columns.map((column) =>
        copyText(this.compiler.quoteIdentifier(column.name), column.type.kind === 'binary'),
      ),
      'CAST(file_row_number AS VARCHAR)',
    ].join(` || chr(9) || `);
    const result = await reader.stream(
      `SELECT ${line} FROM read_parquet(${this.compiler.quoteLiteral(job.path)}, file_row_number = true)`,
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
    let rows = 0;
    try {
      for (
        let chunk = await result.fetchChunk();
        chunk && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        if (failure) throw failure;
        const lines = chunk.getColumnValues(0) as string[];
        rows += lines.length;
        if (!copy.write(`${lines.join('\n')}\n`)) await once(copy, 'drain');
      }
      copy.end();
      await finished;
      if (failure) throw failure;
    } catch (error) {
      copy.destroy();
      throw failure ?? error;
    }
    return rows;
  }

  async load(job: LoadJob): Promise<LoadOutcome> {
    const c = this.compiler;
    const client = await this.pool.connect().catch((error: unknown) => {
      throw mapPostgresError(error, `connecting to load ${job.objectUri}`);
    });
    const staging = `lakeload_stage_${process.pid}`;
    const started = performance.now();
    const count = async (sql: string) =>
      Number(Object.values((await client.query(sql)).rows[0] ?? {})[0] ?? 0);
    const changed = async (sql: string) => (await client.query(sql)).rowCount ?? 0;
    const statements = { count, changed, run: async (sql: string) => void (await client.query(sql)) };
    try {
      await client.query('BEGIN');
      if (await alreadyLoaded(statements, c, this.capabilities, job)) {
        await client.query('ROLLBACK');
        return { status: 'duplicate' };
      }
      await client.query(`${c.createStaging(staging, job.columns)} ON COMMIT DROP`);
      const staged = await this.#copyFile(client, staging, job);
      const outcome = await mergeStaging(statements, c, job, staging, staged, started);
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw mapPostgresError(error, `loading ${job.objectUri} into ${job.table}`);
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
