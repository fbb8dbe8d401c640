// The statements the local Data API endpoint has accepted, and how each runs: asynchronously, in a
// fresh PostgreSQL session per call (temp tables never survive between calls, as on Redshift),
// through SUBMITTED → PICKED → STARTED → FINISHED | FAILED | ABORTED. A batch runs its statements
// serially in ONE transaction; the first failure rolls everything back and is reported on that
// sub-statement, the ones after it ABORTED.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { UnsupportedSqlError } from '../errors.js';
import { type Quoting, runCopy } from './copy.js';
import type { PgField } from './results.js';
import type { S3Objects } from './s3-objects.js';
import {
  type TranslatedStatement,
  type TranslateOptions,
  tokenize,
  translateStatement,
} from './translate.js';

export type StatementStatus = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

/** Where a statement was sent, as the request named it. */
export interface StatementTarget {
  Database: string;
  WorkgroupName?: string;
  ClusterIdentifier?: string;
  DbUser?: string;
  SecretArn?: string;
}

/** One SQL statement's life; a batch's sub-statements are records of their own. */
export interface StatementRecord {
  id: string;
  sql: string;
  status: StatementStatus;
  /** Every status the statement went through, in order. */
  history: StatementStatus[];
  createdAt: Date;
  updatedAt: Date;
  durationNs: number;
  error?: string;
  hasResultSet: boolean;
  resultRows: number;
  resultSize: number;
  redshiftPid: number;
  redshiftQueryId: number;
  /** What the endpoint made of the SQL: plain SQL, a COPY from S3, a committing TRUNCATE, … */
  kind?: TranslatedStatement['kind'];
  /** The PostgreSQL text actually run (for `sql` and `truncate`). */
  translated?: string;
  /** Its result's column names in upper case (`describe_field_name_in_uppercase` on). */
  fieldNamesInUppercase?: boolean;
  copy?: { table: string; files: string[]; rows: number };
  result?: { fields: PgField[]; rows: (string | null)[][] };
  parameters?: { name: string; value: string }[];
}

export interface TopStatement extends StatementRecord {
  target: StatementTarget;
  /** Present for BatchExecuteStatement. */
  subStatements?: StatementRecord[];
}

/** An error the endpoint reports instead of PostgreSQL's (for errors PostgreSQL cannot produce on cue). */
export interface InjectedFailure {
  /** Statements whose SQL matches fail. */
  match: RegExp;
  /** The Error text, e.g. `ERROR: 1023 Serializable isolation violation on table - 100123`. */
  error: string;
  /** How many matching statements fail (default 1). */
  times?: number;
}

export interface StatementEngineOptions {
  connectionString: string;
  /** search_path of every session, so tests can isolate themselves in a schema. */
  schema?: string;
  /** When set, a request naming another Database fails as Redshift does. */
  database?: string;
  s3: S3Objects;
  quoting: Quoting;
  reader: () => Promise<DuckDBConnection>;
  /** Statements running at once (one PostgreSQL session each); the rest wait as SUBMITTED. Default 16. */
  maxSessions?: number;
  /** Identifier case and isolation level, as the database is set up (see TranslateOptions). */
  databaseSettings?: TranslateOptions;
  /**
   * Result column names in upper case, as with `describe_field_name_in_uppercase` on for the user
   * (https://docs.aws.amazon.com/redshift/latest/dg/r_describe_field_name_in_uppercase.html).
   */
  fieldNamesInUppercase?: boolean;
  /** Time added as Redshift would spend it, for capacity runs (see `InjectedLatency`). */
  latency?: InjectedLatency;
}

/**
 * Redshift-like time added to each statement, on top of PostgreSQL's own: every statement other
 * than COPY, each file a COPY loads, and the commit of a batch (taken while its locks are held,
 * as Redshift's commit is). For capacity runs; zero by default.
 */
export interface InjectedLatency {
  statementMs?: number;
  copyFileMs?: number;
  commitMs?: number;
}

const MS_TO_NS = 1_000_000;

/** A failure injected by a test through `injectFailure`, reported with exactly the given text. */
class InjectedError extends UnsupportedSqlError {
  override name = 'InjectedError';
}

// PostgreSQL error text in Redshift's form. PostgreSQL's serialization failure is Redshift's 1023.
function redshiftError(error: unknown): string {
  if (error instanceof InjectedError) return error.message;
  if (error instanceof UnsupportedSqlError) return `ERROR: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '40001')
    return `ERROR: 1023 Serializable isolation violation on table (PostgreSQL: ${message})`;
  return `ERROR: ${message}`;
}

/** Binds the Data API's named parameters (`:name`) as PostgreSQL's positional ones. */
function bindParameters(
  sql: string,
  parameters: readonly { name: string; value: string }[] | undefined,
): { sql: string; values: string[] } {
  if (!parameters || parameters.length === 0) return { sql, values: [] };
  const tokens = tokenize(sql);
  const values: string[] = [];
  const positions = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    const previous = tokens[i - 1];
    if (token?.text === ':' && next?.kind === 'word' && previous?.text !== ':') {
      const parameter = parameters.find((p) => p.name === next.text);
      if (!parameter) throw new UnsupportedSqlError(`parameter :${next.text} has no value in Parameters`);
      let position = positions.get(parameter.name);
      if (position === undefined) {
        values.push(parameter.value);
        position = values.length;
        positions.set(parameter.name, position);
      }
      out.push(`$${position}`);
      i++;
      continue;
    }
    out.push(token?.text ?? '');
  }
  return { sql: out.join(''), values };
}

function newRecord(id: string, sql: string): StatementRecord {
  const now = new Date();
  return {
    id,
    sql,
    status: 'SUBMITTED',
    history: ['SUBMITTED'],
    createdAt: now,
    updatedAt: now,
    durationNs: 0,
    hasResultSet: false,
    resultRows: -1,
    resultSize: -1,
    redshiftPid: 0,
    redshiftQueryId: 0,
  };
}

function setStatus(record: StatementRecord, status: StatementStatus): void {
  record.status = status;
  record.history.push(status);
  record.updatedAt = new Date();
}

const DONE: readonly StatementStatus[] = ['FINISHED', 'FAILED', 'ABORTED'];

/** One call's session settings, changed by its SET statements. */
type Session = TranslateOptions & { fieldNamesInUppercase: boolean };

export class StatementEngine {
  readonly #options: StatementEngineOptions;
  readonly #statements = new Map<string, TopStatement>();
  readonly #running = new Map<string, { pid: number; cancelled: boolean }>();
  readonly #tokens = new Map<string, string>();
  readonly #injected: Required<InjectedFailure>[] = [];
  readonly #settled = new Set<Promise<void>>();
  #queryIds = 100_000;
  #sessions = 0;
  readonly #waiting: (() => void)[] = [];
  #schema: string | undefined;

  constructor(options: StatementEngineOptions) {
    this.#options = options;
    this.#schema = options.schema;
  }

  /** Every top-level statement accepted, oldest first. */
  statements(): TopStatement[] {
    return [...this.#statements.values()];
  }

  /** Every SQL statement run or attempted, sub-statements flattened, oldest first. */
  log(): StatementRecord[] {
    return this.statements().flatMap((statement) => statement.subStatements ?? [statement]);
  }

  /** Sessions opened from now on use this schema as their search_path. */
  useSchema(schema: string | undefined): void {
    this.#schema = schema;
  }

  injectFailure(failure: InjectedFailure): void {
    this.#injected.push({ times: 1, ...failure });
  }

  find(id: string): { top: TopStatement; record: StatementRecord } | undefined {
    const [base, index] = id.split(':');
    const top = this.#statements.get(base ?? '');
    if (!top) return undefined;
    if (index === undefined) return { top, record: top };
    const record = top.subStatements?.[Number(index) - 1];
    return record ? { top, record } : undefined;
  }

  /** Accepts a statement (or a batch when `sqls` has several) and starts it in the background. */
  submit(
    target: StatementTarget,
    sqls: readonly string[],
    batch: boolean,
    parameters?: { name: string; value: string }[],
    clientToken?: string,
  ): TopStatement {
    const known = clientToken ? this.#tokens.get(clientToken) : undefined;
    if (known) return this.#statements.get(known) as TopStatement;
    const id = randomUUID();
    const top: TopStatement = { ...newRecord(id, sqls.join('; ')), target };
    if (parameters) top.parameters = parameters;
    if (batch) top.subStatements = sqls.map((sql, index) => newRecord(`${id}:${index + 1}`, sql));
    this.#statements.set(id, top);
    if (clientToken) this.#tokens.set(clientToken, id);
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run(top))
      .finally(() => this.#settled.delete(work));
    this.#settled.add(work);
    return top;
  }

  /** Cancels a statement that has not finished; false when it already had. */
  async cancel(id: string): Promise<boolean> {
    const top = this.#statements.get(id);
    if (!top || DONE.includes(top.status)) return false;
    const running = this.#running.get(id);
    if (!running) {
      setStatus(top, 'ABORTED');
      for (const sub of top.subStatements ?? []) if (!DONE.includes(sub.status)) setStatus(sub, 'ABORTED');
      return true;
    }
    running.cancelled = true;
    const admin = new pg.Client({ connectionString: this.#options.connectionString });
    await admin.connect();
    try {
      await admin.query('SELECT pg_cancel_backend($1)', [running.pid]);
    } finally {
      await admin.end();
    }
    return true;
  }

  /** Resolves when every statement accepted so far has ended. */
  async idle(): Promise<void> {
    while (this.#settled.size > 0) await Promise.allSettled([...this.#settled]);
  }

  #injectedError(sql: string): string | undefined {
    const failure = this.#injected.find((candidate) => candidate.times > 0 && candidate.match.test(sql));
    if (!failure) return undefined;
    failure.times--;
    return failure.error;
  }

  async #session(): Promise<{ client: pg.Client; pid: number }> {
    const client = new pg.Client({ connectionString: this.#options.connectionString });
    client.on('error', () => {});
    await client.connect();
    // Redshift sessions run in UTC; the search path isolates tests.
    await client.query("SET TimeZone TO 'UTC'");
    if (this.#schema) {
      await client.query(`SET search_path TO ${this.#options.quoting.quoteIdentifier(this.#schema)}`);
    }
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return { client, pid: rows[0]?.pid ?? 0 };
  }

  /** Waits for a free session slot (statements queue as SUBMITTED, as on a busy workgroup). */
  async #slot(): Promise<() => void> {
    if (this.#sessions >= (this.#options.maxSessions ?? 16)) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#sessions++;
    }
    // The slot passes straight to the next waiter, or frees up.
    return () => {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#sessions--;
    };
  }

  /** Statements accepted and not yet ended. */
  active(): number {
    return this.statements().filter((statement) => !DONE.includes(statement.status)).length;
  }

  async #run(top: TopStatement): Promise<void> {
    const release = await this.#slot();
    try {
      await this.#runInSlot(top);
    } finally {
      release();
    }
  }

  async #runInSlot(top: TopStatement): Promise<void> {
    if (top.status === 'ABORTED') return;
    setStatus(top, 'PICKED');
    const started = performance.now();
    let client: pg.Client | undefined;
    try {
      const { database } = this.#options;
      if (database !== undefined && top.target.Database !== database) {
        throw new Error(`database "${top.target.Database}" does not exist`);
      }
      const opened = await this.#session();
      client = opened.client;
      const running = { pid: opened.pid, cancelled: false };
      this.#running.set(top.id, running);
      top.redshiftPid = running.pid;
      // Cancelled while the session was opening.
      if ((top.status as StatementStatus) === 'ABORTED') return;
      setStatus(top, 'STARTED');
      // Each call is a session of its own: its settings start as the database's.
      const settings: Session = {
        ...this.#options.databaseSettings,
        fieldNamesInUppercase: this.#options.fieldNamesInUppercase ?? false,
      };
      if (top.subStatements) await this.#runBatch(client, top, running, settings);
      else await this.#runSingle(client, top, settings);
      top.durationNs = Math.round((performance.now() - started) * MS_TO_NS);
      if (top.status === 'STARTED') setStatus(top, 'FINISHED');
    } catch (error) {
      top.durationNs = Math.round((performance.now() - started) * MS_TO_NS);
      const cancelled = this.#running.get(top.id)?.cancelled === true;
      if (!DONE.includes(top.status)) {
        if (cancelled) setStatus(top, 'ABORTED');
        else {
          top.error = redshiftError(error);
          setStatus(top, 'FAILED');
        }
      }
    } finally {
      this.#running.delete(top.id);
      await client?.end().catch(() => {});
    }
  }

  async #runSingle(client: pg.Client, top: TopStatement, session: Session): Promise<void> {
    const translated = this.#translate(top, session);
    if (translated.kind === 'set') return this.#execute(client, top, translated, []);
    // Outside a batch COPY is its own transaction (all its files load, or none), and so is LOCK,
    // which Redshift accepts in autocommit and PostgreSQL only inside a transaction block.
    if (translated.kind === 'copy' || /^\s*lock\b/i.test(translated.sql)) {
      await client.query(this.#begin());
      try {
        await this.#execute(client, top, translated, []);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      return;
    }
    const { sql, values } = bindParameters(translated.sql, top.parameters);
    await this.#execute(client, top, { ...translated, sql }, values);
  }

  async #runBatch(
    client: pg.Client,
    top: TopStatement,
    running: { cancelled: boolean },
    session: Session,
  ): Promise<void> {
    const subs = top.subStatements ?? [];
    await client.query(this.#begin());
    let failed: number | undefined;
    for (const [index, sub] of subs.entries()) {
      setStatus(sub, 'PICKED');
      setStatus(sub, 'STARTED');
      const started = performance.now();
      try {
        const translated = this.#translate(sub, session);
        if (translated.kind === 'transaction') {
          throw new UnsupportedSqlError(
            'transaction control inside BatchExecuteStatement is not emulated (the batch is one transaction already)',
          );
        }
        await this.#execute(client, sub, translated, []);
        sub.durationNs = Math.round((performance.now() - started) * MS_TO_NS);
        setStatus(sub, 'FINISHED');
      } catch (error) {
        sub.durationNs = Math.round((performance.now() - started) * MS_TO_NS);
        if (running.cancelled) setStatus(sub, 'ABORTED');
        else {
          sub.error = redshiftError(error);
          setStatus(sub, 'FAILED');
        }
        failed = index;
        break;
      }
    }
    if (failed === undefined) {
      await this.#delay('commitMs');
      await client.query('COMMIT');
      top.resultRows = subs.reduce((sum, sub) => sum + Math.max(0, sub.resultRows), 0);
      top.hasResultSet = subs.some((sub) => sub.hasResultSet);
      return;
    }
    await client.query('ROLLBACK').catch(() => {});
    for (const sub of subs.slice(failed + 1)) setStatus(sub, 'ABORTED');
    const failing = subs[failed] as StatementRecord;
    if (running.cancelled) setStatus(top, 'ABORTED');
    else {
      top.error = failing.error ?? 'ERROR: sub-statement failed';
      setStatus(top, 'FAILED');
    }
  }

  /**
   * A transaction at the database's isolation level. SERIALIZABLE is PostgreSQL's, whose
   * serialization failures are reported as Redshift's 1023: both abort a transaction that read what
   * a concurrent one wrote while that one read what it wrote, which is the pattern Redshift
   * documents (https://docs.aws.amazon.com/redshift/latest/dg/c_serial_isolation.html).
   */
  #begin(): string {
    return this.#options.databaseSettings?.isolation === 'serializable'
      ? 'BEGIN ISOLATION LEVEL SERIALIZABLE'
      : 'BEGIN';
  }

  async #delay(kind: keyof InjectedLatency, times = 1): Promise<void> {
    const ms = (this.#options.latency?.[kind] ?? 0) * times;
    if (ms > 0) await sleep(ms);
  }

  /** Translates in the session's settings; a SET of an emulated setting changes them. */
  #translate(record: StatementRecord, session: Session): TranslatedStatement {
    const translated = translateStatement(record.sql, session);
    record.kind = translated.kind;
    if (translated.kind === 'set') {
      const database = this.#options.databaseSettings;
      if (translated.setting === 'enable_case_sensitive_identifier')
        session.caseSensitiveIdentifiers = translated.value ?? database?.caseSensitiveIdentifiers ?? false;
      else session.fieldNamesInUppercase = translated.value ?? this.#options.fieldNamesInUppercase ?? false;
    } else if (translated.kind !== 'copy') record.translated = translated.sql;
    if (session.fieldNamesInUppercase) record.fieldNamesInUppercase = true;
    return translated;
  }

  async #execute(
    client: pg.Client,
    record: StatementRecord,
    translated: TranslatedStatement,
    values: readonly string[],
  ): Promise<void> {
    record.redshiftQueryId = ++this.#queryIds;
    const injected = this.#injectedError(record.sql);
    if (injected) throw new InjectedError(injected);
    if (translated.kind === 'copy') {
      const reader = await this.#options.reader();
      const outcome = await runCopy(
        client,
        translated.copy,
        this.#options.s3,
        reader,
        this.#options.quoting,
      ).finally(() => reader.closeSync());
      record.copy = { table: translated.copy.table.join('.'), ...outcome };
      await this.#delay('copyFileMs', outcome.files.length);
      record.resultRows = outcome.rows;
      record.resultSize = 0;
      return;
    }
    if (translated.kind === 'set') {
      record.resultRows = 0;
      record.resultSize = 0;
      return;
    }
    if (translated.kind === 'truncate') {
      // Redshift's TRUNCATE commits the transaction it runs in; so does this one (see README).
      await client.query('COMMIT');
      await client.query(translated.sql);
      await client.query(this.#begin());
      record.resultRows = 0;
      record.resultSize = 0;
      return;
    }
    await this.#delay('statementMs');
    const result = await client.query({
      text: translated.sql,
      values: [...values],
      rowMode: 'array',
      types: RAW,
    });
    const fields: PgField[] = (result.fields ?? []).map((field) => ({
      name: field.name,
      dataTypeID: field.dataTypeID,
      dataTypeModifier: field.dataTypeModifier,
    }));
    const rows = (result.rows ?? []) as (string | null)[][];
    record.hasResultSet = fields.length > 0;
    record.resultRows = record.hasResultSet ? rows.length : (result.rowCount ?? 0);
    record.resultSize = record.hasResultSet
      ? rows.reduce(
          (sum, row) => sum + row.reduce((bytes, value) => bytes + Buffer.byteLength(value ?? ''), 0),
          0,
        )
      : 0;
    if (record.hasResultSet) record.result = { fields, rows };
  }
}

// Values as PostgreSQL's text: the Data API's Field types are chosen from the column type instead.
const RAW = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;
