// The capacity model checked by a run: loaders (one driver each, as Lambda instances are) load
// batches of many tables through the local Data API endpoint, which adds Redshift-like latency per
// statement, per COPYed file and per commit; files per second are measured and set beside the
// model's figure for the same configuration. A benchmark: run it by hand (`pnpm run capacity`),
// never as a timed test.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { mapLimit, quoteLiteral, unquoteEtag } from '@lakeload/commons';
import { Loader, type ObjectRef } from '@lakeload/loader';
import { redshiftWarehouse } from '@lakeload/loader/redshift';
import { createS3Client, s3Store } from '@lakeload/loader/s3';
import pg from 'pg';
import { RehearsalError } from '../errors.js';
import { startRedshiftDataEndpoint } from '../redshift-data/endpoint.js';
import type { TopStatement } from '../redshift-data/statements.js';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '../s3/local-s3.js';
import { type CapacityEstimate, capacity, type RedshiftLatency } from './model.js';

export interface CapacityRun {
  /** PostgreSQL behind the local endpoint; the run uses a schema of its own and drops it. */
  postgresUrl: string;
  tables: number;
  filesPerTable: number;
  rowsPerFile: number;
  /** Loaders at once (each a driver of its own, as Lambda instances are). */
  loaders: number;
  filesPerBatch: number;
  latency: RedshiftLatency;
}

export interface CapacityResult {
  files: number;
  seconds: number;
  filesPerSecond: number;
  /** The model on the latencies injected alone. */
  model: CapacityEstimate;
  /**
   * The latencies the endpoint actually took (injected plus PostgreSQL's and the local S3's own
   * time), read from its statement records, and the model on them: the check of the model's shape.
   */
  observed: RedshiftLatency;
  observedModel: CapacityEstimate;
  /** Measured over modelled files per second, on the observed latencies. */
  ratio: number;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

/** What each kind of statement took in the endpoint, from its records of the timed part. */
function observedLatency(statements: readonly TopStatement[]): RedshiftLatency {
  const ms = (ns: number) => ns / 1_000_000;
  const batches = statements.filter((statement) => statement.subStatements);
  const subs = batches.flatMap((batch) => batch.subStatements ?? []);
  const copies = subs.filter((sub) => sub.kind === 'copy');
  // A batch's LOCK waits for the batch before it: that wait is the model's queue, not a latency.
  const others = [
    ...batches.flatMap((batch) => (batch.subStatements ?? []).slice(1)).filter((sub) => sub.kind !== 'copy'),
    ...statements.filter((statement) => !statement.subStatements),
  ];
  return {
    statementMs: mean(others.map((statement) => ms(statement.durationNs))),
    copyFileMs:
      copies.reduce((sum, copy) => sum + ms(copy.durationNs), 0) /
      Math.max(
        1,
        copies.reduce((sum, copy) => sum + (copy.copy?.files.length ?? 0), 0),
      ),
    // A batch's time beyond its statements': the commit (and the gaps between statements).
    commitMs: mean(
      batches.map(
        (batch) =>
          ms(batch.durationNs) -
          (batch.subStatements ?? []).reduce((sum, sub) => sum + ms(sub.durationNs), 0),
      ),
    ),
  };
}

const REGION = 'us-east-1';
const BUCKET = 'capacity';
// The driver polls every 5 ms: a statement's end is seen 2.5 ms late on average, plus the request.
const POLL_MS = 5;

/** Runs the configuration and measures it against the model. */
export async function simulateCapacity(run: CapacityRun): Promise<CapacityResult> {
  const schema = `lakeload_capacity_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: run.postgresUrl });
  await admin.connect();
  const dir = await mkdtemp(join(tmpdir(), 'lakeload-capacity-'));
  const closers: (() => Promise<unknown>)[] = [
    () => admin.end(),
    () => rm(dir, { recursive: true, force: true }),
    () => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  ];
  const saved = { ...process.env };
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const s3 = await startLocalS3({ buckets: [BUCKET], region: REGION });
    closers.unshift(() => s3.close());
    const endpoint = await startRedshiftDataEndpoint({
      connectionString: run.postgresUrl,
      schema,
      s3: s3.objects,
      latency: run.latency,
      maxSessions: 4 * run.loaders + 4,
    });
    closers.unshift(() => endpoint.close());
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_REDSHIFT_DATA: endpoint.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    });

    // Files: table i gets filesPerTable files of rowsPerFile new keys each, plus one to warm up.
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const byTable: ObjectRef[][] = [];
    let second = 0;
    for (let table = 0; table < run.tables; table++) {
      const refs: ObjectRef[] = [];
      for (let file = 0; file <= run.filesPerTable; file++) {
        const key = `t${table}/f${String(file).padStart(5, '0')}.parquet`;
        const path = join(dir, `${table}-${file}.parquet`);
        const first = file * run.rowsPerFile;
        await connection.run(
          `COPY (SELECT CAST(range AS BIGINT) AS id, CAST(1 AS BIGINT) AS v, 'row ' || range AS payload FROM range(${first}, ${first + run.rowsPerFile})) TO ${quoteLiteral(path)} (FORMAT parquet)`,
        );
        const body = await readFile(path);
        const response = await fetch(`${s3.url}/${BUCKET}/${key}`, { method: 'PUT', body });
        if (!response.ok) throw new RehearsalError(`uploading ${key}: HTTP ${response.status}`);
        const etag = unquoteEtag(response.headers.get('etag') ?? '');
        refs.push({
          bucket: BUCKET,
          key,
          size: body.byteLength,
          etag,
          eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, second++)).toISOString(),
        });
      }
      byTable.push(refs);
    }
    connection.closeSync();
    duck.closeSync();

    const tables = Object.fromEntries(
      byTable.map((_, table) => [`t${table}`, { keys: ['id'], version: 'v', contract: 'evolve' as const }]),
    );
    const store = s3Store(createS3Client({ region: REGION }));
    const loaders = await Promise.all(
      Array.from({ length: run.loaders }, async () => {
        const driver = await redshiftWarehouse({
          target: { workgroup: 'capacity' },
          database: 'dev',
          manifestPrefix: `s3://${BUCKET}/_lakeload/manifests/`,
          region: REGION,
          pollIntervalMs: POLL_MS,
          pollBackoff: 1,
          maxPollIntervalMs: POLL_MS,
        });
        closers.unshift(() => driver.close());
        return new Loader({ driver, tables, maxBatchFiles: run.filesPerBatch });
      }),
    );
    const loadAll = async (loader: Loader, refs: readonly ObjectRef[]) => {
      const results = await loader.loadObjects(refs, store);
      const failed = results.find((result) => result.status !== 'loaded');
      if (failed) throw new RehearsalError(`capacity run: ${failed.uri} was ${failed.status}, not loaded`);
    };
    // Warm-up, untimed: the tables, the ledger, each driver's first questions.
    await loadAll(
      loaders[0] as Loader,
      byTable.map((refs) => refs[0] as ObjectRef),
    );
    for (const loader of loaders.slice(1)) await loader.loadObjects([], store);

    // Batches of one table each, the tables taking turns, shared by the loaders.
    const queue: ObjectRef[][] = [];
    for (let start = 1; start <= run.filesPerTable; start += run.filesPerBatch)
      for (const refs of byTable) queue.push(refs.slice(start, start + run.filesPerBatch));
    const files = queue.reduce((sum, batch) => sum + batch.length, 0);
    const before = new Set(endpoint.statements().map((statement) => statement.id));
    const started = performance.now();
    // Each pool worker is one loader, taking the next batch as it finishes one.
    await mapLimit(queue, loaders.length, (batch, _, worker) => loadAll(loaders[worker] as Loader, batch));
    const seconds = (performance.now() - started) / 1000;
    const timed = endpoint.statements().filter((statement) => !before.has(statement.id));
    const observed = observedLatency(timed);
    const modelOf = (latency: RedshiftLatency) =>
      capacity({
        latency,
        pollMs: POLL_MS,
        pollsPerStatement: 1,
        filesPerBatch: run.filesPerBatch,
        table: 'versioned',
        tables: run.tables,
        concurrency: run.loaders,
        // The local endpoint has no request quotas.
        quotas: {
          batchExecuteStatementTps: Number.POSITIVE_INFINITY,
          executeStatementTps: Number.POSITIVE_INFINITY,
          describeStatementTps: Number.POSITIVE_INFINITY,
        },
      });
    const model = modelOf(run.latency);
    const observedModel = modelOf(observed);
    const filesPerSecond = files / seconds;
    return {
      files,
      seconds,
      filesPerSecond,
      model,
      observed,
      observedModel,
      ratio: filesPerSecond / observedModel.filesPerSecond,
    };
  } finally {
    process.env = saved;
    for (const close of closers) await close().catch(() => {});
  }
}
