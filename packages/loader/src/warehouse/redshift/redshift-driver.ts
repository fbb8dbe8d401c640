import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementResponse,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { GetBucketLocationCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { classifyAwsError, isRetryableAwsKind } from '../../aws-errors.js';
import { LoaderError } from '../../errors.js';
import { ledgerKey } from '../../ledger/ledger.js';
import type { Column } from '../../schema/parquet.js';
import { unquoteEtag } from '../../shared/etag.js';
import { createS3Client, mapS3Error, ObjectChangedError } from '../../sources/s3-client.js';
import type { Driver, LoadJob, LoadOutcome } from '../dialect.js';
import { redshiftCapabilities } from './redshift-adapter.js';
import {
  type CommandSender,
  type RedshiftDialectConfig,
  type ResolvedRedshiftConfig,
  resolveRedshiftConfig,
} from './redshift-dialect-config.js';
import { columnsSql, toColumns } from './redshift-introspector.js';
import {
  type BatchStatement,
  type BatchStep,
  BatchTooLargeError,
  RedshiftSqlCompiler,
} from './redshift-sql-compiler.js';

/**
 * A statement Redshift ran and refused (status FAILED), or one the Data API would not take. The
 * message carries Redshift's own text, what the loader was doing, and a tip.
 */
export class RedshiftStatementError extends LoaderError {
  override name = 'RedshiftStatementError';
  /** The Data API statement id (`…:n` for the n-th statement of a batch). */
  readonly statementId: string | undefined;
  /** Which step of a load batch failed, when it was one. */
  readonly step: BatchStep | undefined;

  constructor(
    message: string,
    options: ErrorOptions & { retryable: boolean; statementId?: string; step?: BatchStep },
  ) {
    super(message, options);
    this.statementId = options.statementId;
    this.step = options.step;
  }
}

/** A statement still running at the deadline: cancelled, and worth another attempt. */
export class RedshiftDeadlineError extends LoaderError {
  override name = 'RedshiftDeadlineError';
}

/** How a Redshift error text is classified: retryable or not, and what to do about it. */
export interface Classification {
  retryable: boolean;
  tip: string;
}

/** The database's isolation level (https://docs.aws.amazon.com/redshift/latest/dg/r_STV_DB_ISOLATION_LEVEL.html). */
const ISOLATION_SQL = 'SELECT isolation_level FROM stv_db_isolation_level WHERE db_name = current_database()';

const RECENT_LOAD_ERRORS =
  'SELECT query_id, file_name, column_name, column_type, error_code, error_message FROM sys_load_error_detail ORDER BY start_time DESC LIMIT 20';

/**
 * Where a failed COPY's details are: by the statement's query id, and the latest errors in case
 * that id is not the one the SYS views use (they are documented apart).
 */
function loadErrorQuery(queryId: number | undefined): string {
  return queryId
    ? `SELECT file_name, column_name, column_type, error_code, error_message FROM sys_load_error_detail WHERE query_id = ${Math.trunc(queryId)} (or the latest: ${RECENT_LOAD_ERRORS})`
    : RECENT_LOAD_ERRORS;
}

/**
 * The fields of a FAILED statement's `Error` text that say what went wrong, apart from the free
 * text (which names tables, columns and S3 keys — `network_events`, `connection_id` — and must never
 * decide anything). Redshift writes `ERROR: <code> DETAIL: …` for its numbered errors, a DETAIL block
 * with `code:` and `error:` lines for load errors, and S3's own status and code inside COPY errors
 * (`S3ServiceException:…,Status 503,Error SlowDown,…`).
 */
export interface RedshiftErrorFields {
  /** The number right after `ERROR:` (1023 serializable isolation, 1018 concurrent DDL). */
  code?: number;
  /** The DETAIL block's `code:` (load errors 1200–1224, https://docs.aws.amazon.com/redshift/latest/dg/r_Load_Error_Reference.html; 15007 Spectrum scan). */
  detailCode?: number;
  /** The first line's text after `ERROR:` and any code: the kind of error, then its particulars. */
  head: string;
  /** S3's answer inside a COPY error. */
  s3?: { status: number; code: string };
}

/** Reads the fields of a Redshift `Error` text. */
export function redshiftErrorFields(message: string): RedshiftErrorFields {
  const first = message.trimStart().split('\n', 1)[0] ?? '';
  const numbered = /^ERROR:\s*(\d{3,5})\b\s*(?:DETAIL:)?\s*(.*)$/i.exec(first);
  const plain = /^ERROR:\s*(.*)$/i.exec(first);
  const head = (numbered?.[2] ?? plain?.[1] ?? first).trim();
  const detail = /^\s*code:\s*(\d+)\s*$/m.exec(message);
  const s3 = /S3ServiceException:.*?,Status (\d{3}),Error ([A-Za-z]+)/.exec(message);
  return {
    ...(numbered ? { code: Number(numbered[1]) } : {}),
    ...(detail ? { detailCode: Number(detail[1]) } : {}),
    head,
    ...(s3 ? { s3: { status: Number(s3[1]), code: s3[2] ?? '' } } : {}),
  };
}

/** What kind of error a head is, by how it starts: its particulars come after and decide nothing. */
function startsWith(head: string, ...kinds: string[]): boolean {
  const lower = head.toLowerCase();
  return kinds.some((kind) => lower.startsWith(kind));
}

// S3 answers that mean "try again later" (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
const RETRYABLE_S3 = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout']);

/**
 * Classifies the `Error` text of a FAILED statement by its fields (see `redshiftErrorFields`).
 * Anything not known to be transient is permanent: the file or the table has to change first, and
 * the tip says where to look.
 */
export function classifyRedshiftError(message: string, queryId?: number): Classification {
  const fields = redshiftErrorFields(message);
  const { code, detailCode, head, s3 } = fields;
  if (code === 1023)
    return { retryable: true, tip: 'A concurrent transaction conflicted (1023); the load is retried.' };
  if (code === 1018)
    return { retryable: true, tip: 'A concurrent schema change raced the load (1018); the load is retried.' };
  if (s3 && (RETRYABLE_S3.has(s3.code) || s3.status >= 500))
    return {
      retryable: true,
      tip: `S3 asked COPY to slow down or failed for a moment (${s3.code}, ${s3.status}); the load is retried with backoff.`,
    };
  if (startsWith(head, 'deadlock detected'))
    return { retryable: true, tip: 'Deadlock with another transaction; the load is retried.' };
  if (startsWith(head, 'rate exceeded', 'too many connections', 'concurrency limit'))
    return { retryable: true, tip: 'Redshift is throttling; the load is retried with backoff.' };
  if (startsWith(head, 'server closed the connection', 'could not connect', 'terminating connection'))
    return { retryable: true, tip: 'The connection was lost; the load is retried.' };
  const details = `Details per file and column: ${loadErrorQuery(queryId)};`;
  if (s3 && (s3.status === 403 || s3.code === 'AccessDenied'))
    return {
      retryable: false,
      tip: 'The COPY role cannot read the object or the manifest: grant it s3:GetObject on both (and kms:Decrypt for SSE-KMS objects), or check copy-role-arn.',
    };
  if (startsWith(head, 'string length exceeds ddl length', 'value too long'))
    return {
      retryable: false,
      tip: `A string is longer than its column (Redshift's limit is 65,535 bytes): shorten it in the file. ${details}`,
    };
  if (
    detailCode === 1204 ||
    detailCode === 1222 ||
    startsWith(head, 'overflow', 'numeric data overflow', 'value out of range')
  )
    return {
      retryable: false,
      tip: `A value does not fit its column's type: widen the type in the file or the table. ${details}`,
    };
  if (detailCode === 1213 || startsWith(head, 'cannot insert a null', 'null value in column'))
    return {
      retryable: false,
      tip: `A NULL went into a NOT NULL column: fill the value in the file. ${details}`,
    };
  if (detailCode === 15007 || startsWith(head, 'spectrum scan error'))
    return {
      retryable: false,
      tip: `The file's columns do not match staging by position and type (COPY reads Parquet columns by position). ${details}`,
    };
  return { retryable: false, tip: `Read the error, fix the file or the table, then replay. ${details}` };
}

/** An exception from the SDK (Data API or S3), mapped at the boundary into a typed, classified error. */
export function mapAwsError(error: unknown, context: string): LoaderError {
  if (error instanceof LoaderError) return error;
  const err = error as { name?: unknown; message?: unknown };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const message = typeof err.message === 'string' ? err.message : String(error);
  const kind = classifyAwsError(error);
  const tip =
    name === 'ValidationException'
      ? ' Check the warehouse URL (workgroup or cluster, database, secret-arn or db-user).'
      : name === 'ResourceNotFoundException'
        ? ' The workgroup, cluster or statement does not exist (statement results expire after 24 hours).'
        : kind === 'expired-credentials'
          ? ' The AWS credentials expired; the load is retried with fresh ones from the default chain.'
          : kind === 'denied' || kind === 'credentials'
            ? ' The loader’s IAM role lacks a permission (redshift-data:*Statement*, redshift-serverless:GetCredentials, redshift:GetClusterCredentials or redshift:GetClusterCredentialsWithIAM, secretsmanager:GetSecretValue, s3:PutObject on the manifest prefix).'
            : '';
  return new LoaderError(`${context}: ${name}: ${sentence(message)}${tip}`, {
    retryable: isRetryableAwsKind(kind),
    cause: error,
  });
}

/** A message ending in exactly one full stop, whatever the service's own text ended with. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * A bucket's region from GetBucketLocation: none means us-east-1, `EU` the old name of eu-west-1
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
 */
function bucketRegion(constraint: string | undefined): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/** The bucket and key of an `s3://bucket/key` URL. */
function parseS3Url(url: string, what: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!match?.[1])
    throw new LoaderError(`${what} must be an s3://bucket/key URL, not ${JSON.stringify(url)}`);
  return { bucket: match[1], key: match[2] ?? '' };
}

/** What the batch's own refusals mean, by the step that raised them, for the batch's jobs. */
const REFUSALS: Partial<Record<BatchStep, (jobs: readonly LoadJob[]) => string>> = {
  'null-keys': (jobs) =>
    `rows have no value in the key (${jobs[0]?.settings.keys.join(', ')}); every row needs one. Fix the file and load it again`,
  ties: () =>
    "two rows of one key tie in one file: the same version, or the key repeated in a table without a version column. COPY keeps no row order, so 'the last row of the file wins' cannot apply on Redshift. Deduplicate the file or give the rows distinct versions",
  'row-counts': (jobs) =>
    `the rows staged differ from the ${jobs.length === 1 ? `${jobs[0]?.rows} its footer declares` : "counts the files' footers declare"}: the object changed after its event was read, or cannot be read whole. Load it again`,
};

/** One column of a Data API record as JSON: big integers as strings, bytes as base64. */
function fieldValue(field: Field): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined)
    return Number.isSafeInteger(field.longValue) ? field.longValue : String(field.longValue);
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  return null;
}

/** Clock and sleep of the poll loop: real ones by default, a fake in the lifecycle tests. */
export interface PollTimer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTimer: PollTimer = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

// Consecutive retryable DescribeStatement failures tolerated while a statement runs.
const MAX_POLL_HICCUPS = 5;

// A batch whose guard skipped it because another loader won a race is tried again for the files
// still missing, this many times in all.
const BATCH_ROUNDS = 3;

/**
 * Redshift through the Data API, the only code that calls its client (and S3's, for manifests).
 * Every call is asynchronous: submitted, then DescribeStatement is polled with backoff until
 * FINISHED, FAILED or ABORTED, or until the deadline, when the statement is cancelled. SQL errors
 * arrive as status FAILED with an `Error` text, classified by `classifyRedshiftError`.
 */
export class RedshiftDriver implements Driver {
  readonly compiler = new RedshiftSqlCompiler();
  readonly capabilities = redshiftCapabilities;
  readonly #config: ResolvedRedshiftConfig;
  readonly #data: CommandSender;
  readonly #s3: CommandSender;
  readonly #timer: PollTimer;
  /** Whether the database may run SERIALIZABLE: asked once, at the first load. */
  #serializable: Promise<boolean> | undefined;
  /** Each bucket's region, or null where it could not be read. */
  readonly #bucketRegions = new Map<string, string | null>();

  constructor(config: RedshiftDialectConfig, timer: PollTimer = realTimer) {
    this.#config = resolveRedshiftConfig(config);
    const region = config.region === undefined ? {} : { region: config.region };
    this.#data = config.clients?.data ?? new RedshiftDataClient(region);
    // The loader's S3 client factory: the default chain, and path-style requests when
    // AWS_ENDPOINT_URL_S3 points at a local S3 API server.
    this.#s3 = config.clients?.s3 ?? createS3Client(region);
    this.#timer = timer;
  }

  /** Where and as whom statements run: the same fields on every Data API call. */
  #target(): {
    WorkgroupName?: string;
    ClusterIdentifier?: string;
    Database: string;
    SecretArn?: string;
    DbUser?: string;
  } {
    const config = this.#config;
    return {
      ...('workgroup' in config.target
        ? { WorkgroupName: config.target.workgroup }
        : { ClusterIdentifier: config.target.cluster }),
      Database: config.database,
      ...(config.secretArn === undefined ? {} : { SecretArn: config.secretArn }),
      ...(config.dbUser === undefined ? {} : { DbUser: config.dbUser }),
    };
  }

  async #send<T>(command: object, context: string): Promise<T> {
    try {
      return (await this.#data.send(command)) as T;
    } catch (error) {
      throw mapAwsError(error, context);
    }
  }

  /**
   * Polls until the statement ends. Waits start at pollIntervalMs and grow by pollBackoff up to
   * maxPollIntervalMs; past statementDeadlineMs the statement is cancelled and a retryable
   * RedshiftDeadlineError raised (a late commit is harmless: the ledger makes the retry a duplicate).
   */
  async #wait(
    id: string,
    context: string,
    steps?: readonly BatchStatement[],
    jobs: readonly LoadJob[] = [],
  ): Promise<DescribeStatementResponse> {
    const config = this.#config;
    const deadline = this.#timer.now() + config.statementDeadlineMs;
    let interval = config.pollIntervalMs;
    let hiccups = 0;
    for (;;) {
      let described: DescribeStatementResponse;
      try {
        described = await this.#send<DescribeStatementResponse>(
          new DescribeStatementCommand({ Id: id }),
          `${context}: DescribeStatement`,
        );
      } catch (error) {
        // A throttled or failed poll says nothing about the statement, which keeps running: poll
        // again rather than abandon it (a few times; then the load is retried as a whole).
        if (!(error instanceof LoaderError && error.retryable) || ++hiccups > MAX_POLL_HICCUPS) throw error;
        await this.#timer.sleep(interval);
        continue;
      }
      hiccups = 0;
      switch (described.Status) {
        case 'FINISHED':
          return described;
        case 'FAILED':
          throw this.#failure(described, context, steps, jobs);
        case 'ABORTED':
          throw new RedshiftStatementError(
            `${context}: statement ${id} was aborted (cancelled by a user or the service)`,
            {
              retryable: true,
              statementId: id,
            },
          );
      }
      const left = deadline - this.#timer.now();
      if (left <= 0) {
        await this.#data.send(new CancelStatementCommand({ Id: id })).catch(() => {});
        throw new RedshiftDeadlineError(
          `${context}: statement ${id} was still ${described.Status ?? 'running'} after ${config.statementDeadlineMs} ms and was cancelled; it is retried (the ledger makes a load that committed anyway a duplicate)`,
          { retryable: true },
        );
      }
      await this.#timer.sleep(Math.min(interval, left));
      interval = Math.min(interval * config.pollBackoff, config.maxPollIntervalMs);
    }
  }

  #failure(
    described: DescribeStatementResponse,
    context: string,
    steps: readonly BatchStatement[] | undefined,
    jobs: readonly LoadJob[],
  ): RedshiftStatementError {
    const subs = described.SubStatements ?? [];
    const index = subs.findIndex((sub) => sub.Status === 'FAILED');
    const sub = index === -1 ? undefined : subs[index];
    const text = sub?.Error ?? described.Error ?? 'no error text';
    const step = index === -1 ? undefined : steps?.[index]?.step;
    const id = sub?.Id ?? described.Id;
    const where = step === undefined ? '' : ` (statement ${index + 1}, ${step})`;
    const idOption = id === undefined ? {} : { statementId: id };
    const stepOption = step === undefined ? {} : { step };
    // The batch's own refusals: the statement's step says what was wrong, whatever Redshift's text.
    const refusal = step === undefined ? undefined : REFUSALS[step];
    if (refusal !== undefined) {
      return new RedshiftStatementError(`${context}: ${refusal(jobs)} [Redshift: ${text}]`, {
        retryable: false,
        ...idOption,
        ...stepOption,
      });
    }
    const { retryable, tip } = classifyRedshiftError(text, sub?.RedshiftQueryId ?? described.RedshiftQueryId);
    return new RedshiftStatementError(`${context}${where}: ${sentence(text)} ${tip}`, {
      retryable,
      ...idOption,
      ...stepOption,
    });
  }

  /** Runs one statement on its own (committed by itself) and waits for it. */
  async #execute(sql: string, context: string): Promise<DescribeStatementResponse> {
    const { Id } = await this.#send<{ Id?: string }>(
      new ExecuteStatementCommand({ ...this.#target(), Sql: sql }),
      `${context}: ExecuteStatement`,
    );
    if (!Id)
      throw new LoaderError(`${context}: ExecuteStatement returned no statement id`, { retryable: true });
    return this.#wait(Id, context);
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const described = await this.#execute(sql, 'query failed');
    if (!described.HasResultSet || described.Id === undefined) return [];
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send<{
        ColumnMetadata?: { name?: string; label?: string }[];
        Records?: Field[][];
        NextToken?: string;
      }>(
        new GetStatementResultCommand({ Id: described.Id, ...(token ? { NextToken: token } : {}) }),
        'query failed: GetStatementResult',
      );
      // Names in lower case, as Redshift folds them, also where the session has
      // describe_field_name_in_uppercase on (https://docs.aws.amazon.com/redshift/latest/dg/r_describe_field_name_in_uppercase.html).
      const names = (page.ColumnMetadata ?? []).map((column, index) =>
        (column.label ?? column.name ?? `column${index}`).toLowerCase(),
      );
      for (const record of page.Records ?? [])
        rows.push(
          Object.fromEntries(
            record.map((field, index) => [names[index] ?? `column${index}`, fieldValue(field)]),
          ),
        );
      token = page.NextToken;
    } while (token);
    return rows;
  }

  async tableColumns(table: string): Promise<Column[] | undefined> {
    const rows = await this.query(columnsSql(this.compiler, table));
    return rows.length === 0 ? undefined : toColumns(rows);
  }

  /**
   * Each statement as its own ExecuteStatement, committed before the next and before any load (a
   * load whose snapshot predates a concurrent CREATE would fail with 1018). Two loaders creating
   * the same table at once: the loser's "already exists" — or, when both pass IF NOT EXISTS, the
   * catalog's unique-key violation — is retryable, and the retry finds it done.
   */
  async runDdl(statements: readonly string[]): Promise<void> {
    for (const sql of statements) {
      try {
        await this.#execute(sql, 'schema change failed');
      } catch (error) {
        if (
          error instanceof RedshiftStatementError &&
          /already exists|duplicate key value violates unique constraint/i.test(error.message)
        ) {
          throw new RedshiftStatementError(error.message, { retryable: true, cause: error });
        }
        throw error;
      }
    }
  }

  /**
   * Loads files of one table, up to maxBatchFiles per BatchExecuteStatement, each file COPYed over a
   * manifest of its own so that every staged row carries its file (see `planBatch`).
   */
  async load(jobs: readonly LoadJob[]): Promise<LoadOutcome[]> {
    const [first] = jobs;
    if (!first) return [];
    for (const job of jobs) {
      if (job.table !== first.table || JSON.stringify(job.columns) !== JSON.stringify(first.columns)) {
        throw new LoaderError(
          `a batch mixes ${job.objectUri} (table ${job.table}) with ${first.objectUri} (table ${first.table}); batches hold files of one table with identical columns`,
        );
      }
    }
    const size = this.capabilities.maxBatchFiles;
    const outcomes: LoadOutcome[] = [];
    for (let start = 0; start < jobs.length; start += size)
      outcomes.push(...(await this.#loadBatch(jobs.slice(start, start + size), 1)));
    return outcomes;
  }

  /** The loaded ledger rows of these jobs, by ledger key; in as many queries as fit 100 KB each. */
  async #ledgerRows(jobs: readonly LoadJob[]): Promise<Map<string, Record<string, unknown>[]>> {
    const byKey = new Map<string, Record<string, unknown>[]>();
    const read = async (part: readonly LoadJob[]): Promise<void> => {
      const sql = this.compiler.ledgerRowsOf(part);
      if (part.length > 1 && Buffer.byteLength(sql) > this.capabilities.maxStatementBytes) {
        const half = Math.ceil(part.length / 2);
        await read(part.slice(0, half));
        await read(part.slice(half));
        return;
      }
      for (const row of await this.query(sql)) {
        const key = ledgerKey({ objectUri: String(row.object_uri), identity: String(row.object_identity) });
        byKey.set(key, [...(byKey.get(key) ?? []), row]);
      }
    };
    await read(jobs);
    return byKey;
  }

  async #loadBatch(jobs: readonly LoadJob[], round: number): Promise<LoadOutcome[]> {
    // Known duplicates are skipped before anything is written or copied (cheap); the guard inside
    // the batch covers a loader that records them in between.
    const known = await this.#ledgerRows(jobs);
    const outcomes: (LoadOutcome | undefined)[] = [];
    const fresh: { job: LoadJob; index: number }[] = [];
    const inBatch = new Set<string>();
    for (const [index, job] of jobs.entries()) {
      const key = ledgerKey(job);
      if (known.has(key) || inBatch.has(key)) {
        outcomes[index] = { status: 'duplicate' };
        continue;
      }
      inBatch.add(key);
      outcomes[index] = undefined;
      fresh.push({ job, index });
    }
    if (fresh.length > 0) {
      const results = await this.#loadFresh(
        fresh.map(({ job }) => job),
        round,
      );
      for (const [position, { index }] of fresh.entries()) outcomes[index] = results[position];
    }
    return outcomes.map((outcome) => outcome ?? { status: 'duplicate' });
  }

  /**
   * Refuses files in a bucket of another region than the warehouse's before anything is copied:
   * "The Amazon S3 bucket must be in the same AWS Region as the Amazon Redshift database"
   * (https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html).
   * Checked once per bucket; where either region cannot be read, COPY's own error says it.
   */
  async #checkRegions(jobs: readonly LoadJob[]): Promise<void> {
    const region = await this.#region();
    if (region === undefined) return;
    for (const job of jobs) {
      const { bucket } = parseS3Url(job.path, job.objectUri);
      let where = this.#bucketRegions.get(bucket);
      if (where === undefined) {
        where = await this.#s3
          .send(new GetBucketLocationCommand({ Bucket: bucket }))
          .then((answer) => bucketRegion((answer as { LocationConstraint?: string }).LocationConstraint))
          .catch(() => null);
        this.#bucketRegions.set(bucket, where);
      }
      if (where !== null && where !== region) {
        throw new LoaderError(
          `${job.objectUri}: the bucket ${bucket} is in ${where} and the warehouse in ${region}; COPY from Parquet reads only buckets in the warehouse's region. Replicate the objects to a bucket in ${region}, or load them with a warehouse there`,
        );
      }
    }
  }

  /**
   * Each object as COPY will read it — the key's current version — must still be the one its
   * event named (ETag, size, version id): a manifest entry names no version, so a key overwritten
   * since its event would load the new bytes under the old identity, and again under the new
   * event's. A replaced object is an ObjectChangedError: its newer event loads it. What is left
   * between this check and the COPY, the footer row counts checked inside the batch catch.
   */
  async #checkObjects(jobs: readonly LoadJob[]): Promise<void> {
    await Promise.all(
      jobs.map(async (job) => {
        const { bucket, key } = parseS3Url(job.path, job.objectUri);
        let head: { ETag?: string; ContentLength?: number; VersionId?: string };
        try {
          head = (await this.#s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))) as typeof head;
        } catch (error) {
          throw mapS3Error(error, bucket, key);
        }
        const etag = head.ETag === undefined ? undefined : unquoteEtag(head.ETag);
        const { object } = job;
        const changes = [
          ...(etag !== undefined && etag !== object.etag
            ? [`its ETag is now ${etag}, not ${object.etag}`]
            : []),
          ...(head.ContentLength !== undefined && head.ContentLength !== object.size
            ? [`its size is now ${head.ContentLength} bytes, not ${object.size}`]
            : []),
          ...(object.versionId !== undefined && head.VersionId !== object.versionId
            ? [`its current version is ${head.VersionId ?? 'unversioned'}, not ${object.versionId}`]
            : []),
        ];
        if (changes.length > 0) {
          throw new ObjectChangedError(
            `s3://${bucket}/${key}`,
            `the object was replaced since its event: ${changes.join('; ')}`,
            'A newer upload replaced the object; its own event loads the new bytes, so nothing needs replaying.',
          );
        }
      }),
    );
  }

  /**
   * Whether loads must lock the ledger: the database is SERIALIZABLE (older clusters, some
   * databases) or its level cannot be read. New workgroups run SNAPSHOT isolation, where loads of
   * different tables run side by side; `ALTER DATABASE <db> ISOLATION LEVEL SNAPSHOT` sets it.
   */
  #mustLockLedger(): Promise<boolean> {
    const known = this.#config.isolation;
    if (known !== undefined) return Promise.resolve(known === 'serializable');
    this.#serializable ??= this.query(ISOLATION_SQL).then(
      (rows) =>
        String(rows[0]?.isolation_level ?? '')
          .trim()
          .toLowerCase() !== 'snapshot isolation',
      () => true,
    );
    return this.#serializable;
  }

  /** The Data API client's region: the configured one, else the SDK client's own. */
  async #region(): Promise<string | undefined> {
    if (this.#config.region !== undefined) return this.#config.region;
    const provider = (this.#data as { config?: { region?: unknown } }).config?.region;
    if (typeof provider === 'string') return provider;
    if (typeof provider === 'function')
      return (await (provider as () => Promise<string>)().catch(() => undefined)) ?? undefined;
    return undefined;
  }

  async #loadFresh(jobs: readonly LoadJob[], round: number): Promise<LoadOutcome[]> {
    const [first] = jobs;
    if (!first) return [];
    const prefix = this.#config.manifestPrefix;
    if (prefix === undefined) {
      throw new LoaderError(
        'loading into Redshift needs a manifest prefix (manifest-prefix=s3://bucket/prefix/ in the warehouse URL, or LAKELOAD_MANIFEST_PREFIX)',
      );
    }
    for (const job of jobs)
      parseS3Url(job.path, `${job.objectUri}: Redshift's COPY reads the object from S3, so its path`);
    await this.#checkRegions(jobs);
    await this.#checkObjects(jobs);
    const lockLedger = await this.#mustLockLedger();
    const batchId = randomUUID().replaceAll('-', '');
    const manifests = `${prefix.endsWith('/') ? prefix : `${prefix}/`}${batchId}`;
    const context = `loading ${first.objectUri}${jobs.length > 1 ? ` and ${jobs.length - 1} more files` : ''} into ${first.table}`;
    let plan: ReturnType<RedshiftSqlCompiler['planBatch']>;
    try {
      plan = this.compiler.planBatch({
        batchId,
        table: first.table,
        settings: first.settings,
        columns: first.columns,
        files: jobs.map((job, ordinal) => ({
          objectUri: job.objectUri,
          identity: job.identity,
          url: job.path,
          size: job.object.size,
          manifestUrl: `${manifests}-${ordinal}.manifest`,
          ...(job.rows === undefined ? {} : { rows: job.rows }),
        })),
        copyRoleArn: this.#config.copyRoleArn,
        lockLedger,
      });
    } catch (error) {
      // Over the Data API's limits: the same files in two smaller batches, oldest half first.
      if (error instanceof BatchTooLargeError && jobs.length > 1) {
        const half = Math.ceil(jobs.length / 2);
        return [
          ...(await this.#loadBatch(jobs.slice(0, half), round)),
          ...(await this.#loadBatch(jobs.slice(half), round)),
        ];
      }
      throw error;
    }
    await Promise.all(
      plan.manifests.map(async (manifest) => {
        const { bucket, key } = parseS3Url(manifest.url, 'the manifest prefix');
        try {
          await this.#s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: manifest.body,
              ContentType: 'application/json',
            }),
          );
        } catch (error) {
          throw mapAwsError(error, `${context}: writing the COPY manifest ${manifest.url}`);
        }
      }),
    );
    const { Id } = await this.#send<{ Id?: string }>(
      new BatchExecuteStatementCommand({
        ...this.#target(),
        Sqls: plan.statements.map((statement) => statement.sql),
        StatementName: `lakeload ${batchId}`,
        // The same token on every SDK retry of this call: the service runs the batch once.
        ClientToken: batchId,
      }),
      `${context}: BatchExecuteStatement`,
    );
    if (!Id)
      throw new LoaderError(`${context}: BatchExecuteStatement returned no statement id`, {
        retryable: true,
      });
    await this.#wait(Id, context, plan.statements, jobs);

    // Committed. The ledger, read by batch id, says which files this batch loaded: all of them, or
    // none when its guard found one already loaded by a concurrent loader.
    const after = await this.#ledgerRows(jobs);
    const outcomes: (LoadOutcome | undefined)[] = [];
    const missing: { job: LoadJob; index: number }[] = [];
    for (const [index, job] of jobs.entries()) {
      const rows = after.get(ledgerKey(job)) ?? [];
      const own = rows.find((row) => row.batch_id === batchId);
      if (own) {
        outcomes[index] = {
          status: 'loaded',
          inserted: Number(own.rows_inserted),
          updated: Number(own.rows_updated),
          unchanged: Number(own.rows_unchanged),
        };
      } else if (rows.length > 0) {
        outcomes[index] = { status: 'duplicate' };
      } else {
        missing.push({ job, index });
      }
    }
    if (missing.length > 0) {
      if (round >= BATCH_ROUNDS) {
        throw new LoaderError(
          `${context}: concurrent loaders kept loading files of this batch first; ${missing.length} files are still to load`,
          { retryable: true },
        );
      }
      const retried = await this.#loadBatch(
        missing.map(({ job }) => job),
        round + 1,
      );
      for (const [position, { index }] of missing.entries()) outcomes[index] = retried[position];
    }
    return outcomes.map((outcome) => outcome ?? { status: 'duplicate' });
  }

  async close(): Promise<void> {
    this.#data.destroy?.();
    this.#s3.destroy?.();
  }
}
