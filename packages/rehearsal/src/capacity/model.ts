// The capacity model of Redshift loading, as arithmetic: what one load batch costs inside the
// table's lock and outside it, and which of the table locks, the Lambda instances and the Data API
// quotas bounds the files per second. Pure; the statements counted are the real plan's.
import { planRedshiftBatch } from '@lakeload/loader/redshift';

/** Time Redshift spends, per statement kind (measure them with the live suite). */
export interface RedshiftLatency {
  /** Each statement other than COPY, inside a batch or alone. */
  statementMs: number;
  /** Each file one COPY loads (a small Parquet file: Redshift's per-COPY cost dominates). */
  copyFileMs: number;
  /** The commit of a load batch, taken while the table's lock is held. */
  commitMs: number;
}

/** Requests per second the Data API takes per account and region (Service Quotas; adjustable). */
interface DataApiQuotas {
  batchExecuteStatementTps: number;
  executeStatementTps: number;
  describeStatementTps: number;
}

export interface CapacityInput {
  latency: RedshiftLatency;
  /** Average wait between a statement's end and the driver's poll seeing it. */
  pollMs: number;
  /** DescribeStatement calls per waited statement (polls). */
  pollsPerStatement: number;
  /** Files per load batch: the SQS batch's files of one table, at most the dialect's 14. */
  filesPerBatch: number;
  /** The target tables' kind: decides the batch's statements. */
  table: 'keyless' | 'keyed' | 'versioned';
  /** Tables receiving files at once: each serializes its own loads. */
  tables: number;
  /** Lambda instances loading at once (the SQS mapping's MaximumConcurrency). */
  concurrency: number;
  quotas: DataApiQuotas;
}

export interface CapacityEstimate {
  /** Statements of one load batch, and the COPYs among them. */
  statements: number;
  copies: number;
  /** Held under the table's lock: from LOCK to commit. */
  lockedMs: number;
  /** Spent per batch outside the lock: the table check, the ledger reads before and after. */
  outsideMs: number;
  /** Each bound, in files per second overall. */
  bounds: { tableLocks: number; lambdas: number; dataApi: number };
  /** The smallest bound, and which it is. */
  filesPerSecond: number;
  boundBy: keyof CapacityEstimate['bounds'];
}

// Outside the lock, every batch waits for three single statements: the table's columns (schema
// settling), the ledger before (duplicates skipped) and the ledger after (outcomes by batch id).
const STATEMENTS_OUTSIDE = 3;

/** The batch the loader plans for `files` files of a table of this kind. */
function plannedBatch(files: number, table: CapacityInput['table']): { statements: number; copies: number } {
  const keys = table === 'keyless' ? [] : ['id'];
  const plan = planRedshiftBatch({
    batchId: 'capacity',
    table: 't',
    settings: { keys, ...(table === 'versioned' ? { version: 'v' } : {}), contract: 'evolve' },
    columns: [
      { name: 'id', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
      { name: 'v', type: { kind: 'int', bits: 64, signed: true }, nullable: true },
    ],
    files: Array.from({ length: files }, (_, n) => ({
      objectUri: `s3://b/${n}`,
      identity: `e${n}`,
      url: `s3://b/${n}`,
      size: 1,
      manifestUrl: `s3://b/m${n}`,
      rows: 1,
    })),
    copyRoleArn: 'default',
  });
  return {
    statements: plan.statements.length,
    copies: plan.statements.filter((statement) => statement.step === 'copy').length,
  };
}

/** Files per second one configuration sustains, and what bounds it. */
export function capacity(input: CapacityInput): CapacityEstimate {
  const n = input.filesPerBatch;
  const { statements, copies } = plannedBatch(n, input.table);
  const { statementMs, copyFileMs, commitMs } = input.latency;
  const lockedMs = (statements - copies) * statementMs + copies * copyFileMs + commitMs;
  // The batch's own end is seen at a poll too; it does not hold the lock then.
  const outsideMs = STATEMENTS_OUTSIDE * (statementMs + input.pollMs) + input.pollMs;
  const perSecond = (files: number, ms: number) => (files * 1000) / ms;
  // Each table: one batch at a time. Each Lambda: one batch at a time, lock and outside.
  const tableLocks = input.tables * perSecond(n, lockedMs);
  const lambdas = input.concurrency * perSecond(n, lockedMs + outsideMs);
  const { quotas } = input;
  const describes = (STATEMENTS_OUTSIDE + 1) * input.pollsPerStatement;
  const dataApi = Math.min(
    quotas.batchExecuteStatementTps * n,
    (quotas.executeStatementTps * n) / STATEMENTS_OUTSIDE,
    (quotas.describeStatementTps * n) / describes,
  );
  const bounds = { tableLocks, lambdas, dataApi };
  const [boundBy, filesPerSecond] = (Object.entries(bounds) as [keyof typeof bounds, number][]).reduce(
    (least, entry) => (entry[1] < least[1] ? entry : least),
  );
  return { statements, copies, lockedMs, outsideMs, bounds, filesPerSecond, boundBy };
}
