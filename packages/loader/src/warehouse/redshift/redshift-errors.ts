// Redshift's errors, classified at the boundary: a FAILED statement's `Error` text read by its
// fields (never its free text) into retryable or not with a tip, the SDK's own exceptions mapped by
// their kind, and the batch's own refusals named by the step that raised them. No I/O here: the
// Data API module (data-api.ts) and the driver raise what this module builds.
import type { DescribeStatementResponse } from '@aws-sdk/client-redshift-data';
import { classifyAwsError, isRetryableAwsKind } from '../../aws-errors.js';
import { LoaderError } from '../../errors.js';
import type { LoadJob } from '../dialect.js';
import type { BatchStatement, BatchStep } from './redshift-sql-compiler.js';

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

/** What the batch's own refusals mean, by the step that raised them, for the batch's jobs. */
const REFUSALS: Partial<Record<BatchStep, (jobs: readonly LoadJob[]) => string>> = {
  'null-keys': (jobs) =>
    `rows have no value in the key (${jobs[0]?.settings.keys.join(', ')}); every row needs one. Fix the file and load it again`,
  ties: () =>
    "two rows of one key tie in one file: the same version, or the key repeated in a table without a version column. COPY keeps no row order, so 'the last row of the file wins' cannot apply on Redshift. Deduplicate the file or give the rows distinct versions",
  'row-counts': (jobs) =>
    `the rows staged differ from the ${jobs.length === 1 ? `${jobs[0]?.rows} its footer declares` : "counts the files' footers declare"}: the object changed after its event was read, or cannot be read whole. Load it again`,
};

/**
 * The error of a FAILED statement. For a batch, the failed sub-statement's step says what the loader
 * was doing; the batch's own refusals (`REFUSALS`) are explained by that step, whatever Redshift's
 * wording, and everything else is classified by `classifyRedshiftError`.
 */
export function statementFailure(
  described: DescribeStatementResponse,
  context: string,
  steps?: readonly BatchStatement[],
  jobs: readonly LoadJob[] = [],
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
