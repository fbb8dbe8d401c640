// The AWS path offline, end to end: the local S3 server, SNS endpoint and Redshift Data API endpoint
// (on PostgreSQL) start; the standard AWS_ENDPOINT_URL_* variables point the real SDK clients at
// them; a lake folder is uploaded; S3 notifications flow through a local SQS queue into the real
// Lambda handler (the deployable zip), which loads through the Redshift dialect. The report says
// what landed, what was published and what the warehouse was asked to do.
import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { walkFiles } from '@lakeload/commons';
import { PostgresSqlCompiler } from '@lakeload/loader/postgres';
import pg from 'pg';
import { RehearsalError } from './errors.js';
import { loadLambdaHandler } from './lambda-bundle.js';
import { startRedshiftDataEndpoint } from './redshift-data/endpoint.js';
import type { InjectedFailure } from './redshift-data/statements.js';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from './s3/local-s3.js';
import { type LambdaContext, LocalQueue, type SqsEvent, type SqsHandler } from './s3/queue.js';
import { type PublishedMessage, startLocalSns } from './sns/local-sns.js';

export const DEFAULT_REHEARSAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

export interface RehearseOptions {
  /** A folder of converted Parquet files (`year=…/month=…/day=…/<table>/…`), uploaded as it is. */
  lake: string;
  /** PostgreSQL standing in for Redshift. Default postgres://postgres@127.0.0.1:5432/test. */
  postgresUrl?: string;
  /** Schema the warehouse tables land in (the Data API sessions' search_path). Default lakeload_rehearsal. */
  schema?: string;
  /** Drop the schema first, so the report shows this run alone. Default true. */
  fresh?: boolean;
  /** Bucket created on the local S3 server. Default lakeload-rehearsal. */
  bucket?: string;
  /** Key prefix of the uploads. Default none (the lake's layout at the bucket's root). */
  prefix?: string;
  /** Records per Lambda invocation (the event source mapping's batch size). Default 10. */
  batchSize?: number;
  /** Receives before a message is dead-lettered (the queue's redrive policy). Default 5. */
  maxReceiveCount?: number;
  /** Deliver every S3 notification twice, as at-least-once delivery may. Default false. */
  duplicateEvents?: boolean;
  /**
   * Concurrent execution environments (each its own cold start of the bundle), taking batches side
   * by side as the event source mapping's concurrency allows. Default 1.
   */
  concurrency?: number;
  /** The function's timeout for getRemainingTimeInMillis. Default 900000 (15 min). */
  timeoutMs?: number;
  /** Told about each phase: uploads (done/total files) and invocations. */
  onProgress?: (phase: 'upload' | 'deliver', done: number, total: number) => void;
  signal?: AbortSignal;
  /** Errors the Data API endpoint reports for matching statements (see the endpoint's injectFailure). */
  injectFailures?: readonly InjectedFailure[];
  /** The database's isolation level, as the endpoint emulates it. Default snapshot (new workgroups). */
  isolation?: 'snapshot' | 'serializable';
  /** Keep quoted names' case (`enable_case_sensitive_identifier` on). Default false, as on Redshift. */
  caseSensitiveIdentifiers?: boolean;
}

export interface RehearsalReport {
  endpoints: { s3: string; redshiftData: string; sns: string };
  warehouse: { url: string; postgres: string; schema: string };
  uploaded: { files: number; bytes: number };
  delivery: {
    invocations: number;
    /** Messages the handler reported in batchItemFailures (or failed by throwing), counted per receive. */
    failedReceives: number;
    /** Each invocation's records (message, object keys, receive count) and those it failed. */
    batches: { records: { messageId: string; keys: string[]; receiveCount: number }[]; failed: string[] }[];
    deadLetters: { messageId: string; keys: string[]; receives: number; error: string }[];
  };
  tables: { table: string; rows: number }[];
  ledger: { status: string; files: number }[];
  warehouseDeadLetters: number;
  statements: { total: number; batches: number; copies: number; failed: number };
  notifications: Pick<PublishedMessage, 'Subject' | 'MessageAttributes' | 'TopicArn'>[];
  /** The function's EMF metrics, summed by name (and `table` dimension). */
  metrics: Record<string, number>;
  /** The function's log lines (Powertools JSON), as CloudWatch Logs would hold them. */
  logs: string[];
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

async function filesUnder(folder: string): Promise<string[]> {
  const files = await walkFiles(folder).catch((error: Error) => {
    throw new RehearsalError(`cannot read the lake folder ${folder}: ${error.message}`, { cause: error });
  });
  return files.map((file) => join(folder, file));
}

/** The keys an S3 notification body names, decoded (for reports on dead letters). */
function keysOf(body: string): string[] {
  try {
    const records =
      (JSON.parse(body) as { Records?: { s3?: { object?: { key?: string } } }[] }).Records ?? [];
    return records.map((record) => decodeURIComponent((record.s3?.object?.key ?? '').replaceAll('+', ' ')));
  } catch {
    return [];
  }
}

/**
 * Captures the process's stdout and stderr lines until the returned function is called: what the
 * function writes there (Powertools logs, EMF metrics) is what CloudWatch Logs would hold.
 * Carriage-return redraws (the CLI's progress bar) pass through.
 */
function captureOutput(lines: string[]): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write.bind(stream));
  const pending = ['', ''];
  streams.forEach((stream, index) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('\r')) {
        return (writes[index] as (chunk: string, ...rest: unknown[]) => boolean)(chunk, ...rest);
      }
      const text =
        (pending[index] ?? '') + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const parts = text.split('\n');
      pending[index] = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line !== ''));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, index) => {
      stream.write = writes[index] as typeof stream.write;
      if (pending[index]) lines.push(pending[index] as string);
    });
  };
}

/** Sums EMF metric values by name and `table` dimension, e.g. `FilesLoaded{table=order_items}`. */
function emfMetrics(lines: readonly string[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of lines) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const directives = (parsed._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } | undefined)
      ?.CloudWatchMetrics;
    if (!directives) continue;
    const table = typeof parsed.table === 'string' ? `{table=${parsed.table}}` : '';
    for (const { Name } of directives.flatMap((directive) => directive.Metrics ?? [])) {
      const raw = parsed[Name];
      const value = (Array.isArray(raw) ? raw : [raw]).reduce((sum: number, v) => sum + Number(v ?? 0), 0);
      totals[`${Name}${table}`] = (totals[`${Name}${table}`] ?? 0) + value;
    }
  }
  return totals;
}

/** Sets (or, for undefined, removes) variables; returns what puts the old values back. */
function setEnvironment(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * Rehearses the AWS path locally and reports what happened. Servers and the environment are
 * restored when it returns; the schema stays, so the tables can be inspected.
 */
export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const postgresUrl = options.postgresUrl ?? DEFAULT_REHEARSAL_POSTGRES;
  const schema = options.schema ?? 'lakeload_rehearsal';
  const bucket = options.bucket ?? 'lakeload-rehearsal';
  const prefix = options.prefix ?? '';
  const q = new PostgresSqlCompiler();
  const database = decodeURIComponent(new URL(postgresUrl).pathname.slice(1)) || 'postgres';
  const files = await filesUnder(options.lake);

  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect().catch((error: Error) => {
    throw new RehearsalError(
      `PostgreSQL (standing in for Redshift) is not reachable at ${postgresUrl.replace(/:[^:@/]*@/, ':***@')}: ${error.message}`,
      { cause: error },
    );
  });
  const closers: (() => Promise<unknown>)[] = [() => admin.end()];
  let restoreEnvironment = () => {};
  try {
    if (options.fresh ?? true)
      await admin.query(`DROP SCHEMA IF EXISTS ${q.quoteIdentifier(schema)} CASCADE`);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${q.quoteIdentifier(schema)}`);

    const s3 = await startLocalS3({ buckets: [bucket], region: REGION });
    closers.unshift(() => s3.close());
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:lakeload-rehearsal`;
    const sns = await startLocalSns({ topics: [topicArn] });
    closers.unshift(() => sns.close());
    const endpoint = await startRedshiftDataEndpoint({
      connectionString: postgresUrl,
      schema,
      database,
      s3: s3.objects,
      ...(options.isolation === undefined ? {} : { isolation: options.isolation }),
      ...(options.caseSensitiveIdentifiers === undefined
        ? {}
        : { caseSensitiveIdentifiers: options.caseSensitiveIdentifiers }),
    });
    closers.unshift(() => endpoint.close());
    for (const failure of options.injectFailures ?? []) endpoint.injectFailure(failure);

    const warehouseUrl = `redshift-data://workgroup/rehearsal/${encodeURIComponent(database)}`;
    restoreEnvironment = setEnvironment({
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint.url,
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_LAMBDA_FUNCTION_NAME: 'lakeload-rehearsal',
      LAKELOAD_WAREHOUSE_URL: warehouseUrl,
      LAKELOAD_COPY_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/lakeload-rehearsal-copy`,
      LAKELOAD_SNS_TOPIC_ARN: topicArn,
      LAKELOAD_MANIFEST_PREFIX: `s3://${bucket}/_lakeload/manifests/`,
      POWERTOOLS_SERVICE_NAME: 'lakeload',
      POWERTOOLS_METRICS_NAMESPACE: 'lakeload',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
    // One module instance per concurrent execution environment: each is a cold start of its own.
    const handlers: SqsHandler[] = [];
    for (let i = 0; i < Math.max(1, options.concurrency ?? 1); i++) {
      const loaded = await loadLambdaHandler();
      closers.unshift(loaded.release);
      handlers.push(loaded.handler);
    }

    const queue = new LocalQueue({
      name: 'lakeload-rehearsal-events',
      region: REGION,
      accountId: ACCOUNT,
      batchSize: options.batchSize ?? 10,
      maxReceiveCount: options.maxReceiveCount ?? 5,
      timeoutMs: options.timeoutMs ?? 900_000,
      functionName: 'lakeload-rehearsal',
    });
    // The infra's notification: ObjectCreated:* for keys ending in .parquet, into the queue.
    s3.notify(
      bucket,
      (body) => {
        queue.send(body);
        if (options.duplicateEvents && body.includes('"Records"')) queue.send(body);
      },
      { suffix: '.parquet' },
    );

    let bytes = 0;
    for (const [index, file] of files.entries()) {
      options.signal?.throwIfAborted();
      const key = `${prefix}${relative(options.lake, file).split(sep).join('/')}`;
      const body = await readFile(file);
      const url = `${s3.url}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
      const response = await fetch(url, { method: 'PUT', body });
      if (!response.ok)
        throw new RehearsalError(`uploading ${file} as s3://${bucket}/${key}: HTTP ${response.status}`);
      bytes += (await stat(file)).size;
      options.onProgress?.('upload', index + 1, files.length);
    }

    await s3.settled();
    const logs: string[] = [];
    let delivered = 0;
    const total = queue.depth;
    // Output is captured while any invocation runs (invocations may overlap).
    let running = 0;
    let release = () => {};
    const report = await queue.drain(
      handlers.map((handler) => async (event: SqsEvent, context: LambdaContext) => {
        options.signal?.throwIfAborted();
        if (running++ === 0) release = captureOutput(logs);
        try {
          return await handler(event, context);
        } finally {
          if (--running === 0) release();
          delivered += event.Records.length;
          options.onProgress?.('deliver', Math.min(delivered, total), total);
        }
      }),
    );
    await endpoint.idle();
    const batches = report.invocations.map((invocation) => ({
      records: invocation.records.map((record) => ({
        messageId: record.messageId,
        keys: keysOf(record.body),
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      })),
      failed: invocation.failed,
    }));

    const tables = await admin.query<{ table: string }>(
      `SELECT table_name AS table FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT LIKE 'lakeload\\_%' ORDER BY 1`,
      [schema],
    );
    const counted: RehearsalReport['tables'] = [];
    for (const { table } of tables.rows) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${q.quoteIdentifier(schema)}.${q.quoteIdentifier(table)}`,
      );
      counted.push({ table, rows: rows[0]?.n ?? 0 });
    }
    const exists = async (table: string) =>
      (
        await admin.query('SELECT to_regclass($1) AS r', [
          `${q.quoteIdentifier(schema)}.${q.quoteIdentifier(table)}`,
        ])
      ).rows[0]?.r !== null;
    const ledger = (await exists('lakeload_load_history'))
      ? (
          await admin.query<{ status: string; files: number }>(
            `SELECT status, count(*)::int AS files FROM ${q.quoteIdentifier(schema)}.lakeload_load_history GROUP BY status ORDER BY status`,
          )
        ).rows
      : [];
    const deadLetters = (await exists('lakeload_dead_letters'))
      ? ((
          await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${q.quoteIdentifier(schema)}.lakeload_dead_letters`,
          )
        ).rows[0]?.n ?? 0)
      : 0;
    const statements = endpoint.statements();
    const log = endpoint.log();
    return {
      endpoints: { s3: s3.url, redshiftData: endpoint.url, sns: sns.url },
      warehouse: { url: warehouseUrl, postgres: postgresUrl.replace(/:[^:@/]*@/, ':***@'), schema },
      uploaded: { files: files.length, bytes },
      delivery: {
        invocations: report.invocations.length,
        failedReceives: report.invocations.reduce((sum, invocation) => sum + invocation.failed.length, 0),
        batches,
        deadLetters: queue.deadLetters.map((message) => ({
          messageId: message.messageId,
          keys: keysOf(message.body),
          receives: message.receiveCount,
          error: message.lastError ?? '',
        })),
      },
      tables: counted,
      ledger,
      warehouseDeadLetters: deadLetters,
      statements: {
        total: log.length,
        batches: statements.filter((statement) => statement.subStatements).length,
        copies: log.filter((statement) => statement.kind === 'copy').length,
        failed: statements.filter((statement) => statement.status === 'FAILED').length,
      },
      notifications: sns.published().map(({ TopicArn, Subject, MessageAttributes }) => {
        const entry: RehearsalReport['notifications'][number] = { TopicArn, MessageAttributes };
        if (Subject !== undefined) entry.Subject = Subject;
        return entry;
      }),
      metrics: emfMetrics(logs),
      logs,
    };
  } finally {
    restoreEnvironment();
    for (const close of closers) await close().catch(() => {});
  }
}
