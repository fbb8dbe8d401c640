// Redshift through the Data API: the load orchestration. Each batch of files is checked against
// S3 (same region, objects unchanged since their events), planned (plan/batch-merge.ts), its
// manifests written, and run as one BatchExecuteStatement; the ledger read by batch id afterwards
// says which files it loaded. Submitting and polling are data-api.ts's, what a failure means
// redshift-errors.ts's.
import { randomUUID } from 'node:crypto';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { GetBucketLocationCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { unquoteEtag } from '@lakeload/commons';
import { LoaderError } from '../../errors.js';
import { ledgerKey } from '../../ledger/ledger.js';
import { BatchTooLargeError, planBatchMerge } from '../../plan/batch-merge.js';
import type { Column } from '../../schema/parquet.js';
import { createS3Client, mapS3Error, ObjectChangedError } from '../../sources/s3-client.js';
import type { Driver, LoadJob, LoadOutcome } from '../dialect.js';
import { checkBatch } from '../merge.js';
import { DataApi, type PollTimer, realTimer } from './data-api.js';
import { redshiftCapabilities } from './redshift-adapter.js';
import {
  type CommandSender,
  type RedshiftDialectConfig,
  type ResolvedRedshiftConfig,
  resolveRedshiftConfig,
} from './redshift-dialect-config.js';
import { mapAwsError, RedshiftStatementError, statementFailure } from './redshift-errors.js';
import { columnsSql, toColumns } from './redshift-introspector.js';
import { type BatchInput, type BatchStatement, RedshiftSqlCompiler } from './redshift-sql-compiler.js';

/** The database's isolation level (https://docs.aws.amazon.com/redshift/latest/dg/r_STV_DB_ISOLATION_LEVEL.html). */
const ISOLATION_SQL = 'SELECT isolation_level FROM stv_db_isolation_level WHERE db_name = current_database()';

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

/** A manifest to write before the batch runs: one exact object, so COPY cannot read `x.parquet.bak`. */
interface BatchManifest {
  url: string;
  body: string;
}

/** A planned load: the batch's statements and the manifests they COPY from. */
export interface BatchPlan {
  /** The statements of one BatchExecuteStatement, in order: one transaction. */
  statements: BatchStatement[];
  /** One per file, in file order. */
  manifests: BatchManifest[];
}

/** A Redshift batch's plan: the shared one-batch merge (plan/batch-merge.ts) in Redshift's SQL. */
export function planRedshiftBatch(input: BatchInput, compiler = new RedshiftSqlCompiler()): BatchPlan {
  return {
    statements: planBatchMerge(compiler.batch, redshiftCapabilities, input),
    manifests: input.files.map((file) => ({ url: file.manifestUrl, body: compiler.manifest(file) })),
  };
}

// A batch whose guard skipped it because another loader won a race is tried again for the files
// still missing, this many times in all.
const BATCH_ROUNDS = 3;

/**
 * Redshift through the Data API (data-api.ts sends and polls; S3 is called here for the object
 * checks and the manifests). SQL errors arrive as status FAILED with an `Error` text, classified
 * by redshift-errors.ts.
 */
export class RedshiftDriver implements Driver {
  readonly compiler = new RedshiftSqlCompiler();
  readonly capabilities = redshiftCapabilities;
  readonly #config: ResolvedRedshiftConfig;
  readonly #data: DataApi;
  readonly #s3: CommandSender;
  /** Whether the database may run SERIALIZABLE: asked once, at the first load. */
  #serializable: Promise<boolean> | undefined;
  /** Each bucket's region, or null where it could not be read. */
  readonly #bucketRegions = new Map<string, string | null>();

  constructor(config: RedshiftDialectConfig, timer: PollTimer = realTimer) {
    this.#config = resolveRedshiftConfig(config);
    const region = config.region === undefined ? {} : { region: config.region };
    this.#data = new DataApi(this.#config, config.clients?.data ?? new RedshiftDataClient(region), timer);
    // The loader's S3 client factory: the default chain, and path-style requests when
    // AWS_ENDPOINT_URL_S3 points at a local S3 API server.
    this.#s3 = config.clients?.s3 ?? createS3Client(region);
  }

  query(sql: string): Promise<Record<string, unknown>[]> {
    return this.#data.query(sql);
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
        await this.#data.execute(sql, 'schema change failed');
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
   * manifest of its own so that every staged row carries its file (see `RedshiftSqlCompiler.batch`).
   */
  async load(jobs: readonly LoadJob[]): Promise<LoadOutcome[]> {
    checkBatch(jobs);
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
    return this.#config.region ?? (await this.#data.region());
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
    let plan: BatchPlan;
    try {
      plan = planRedshiftBatch(
        {
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
        },
        this.compiler,
      );
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
    const { statements } = plan;
    await this.#data.batch(
      statements.map((statement) => statement.sql),
      batchId,
      context,
      (described) => statementFailure(described, context, statements, jobs),
    );

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
