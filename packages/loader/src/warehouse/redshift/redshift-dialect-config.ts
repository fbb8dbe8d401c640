/** Which Redshift the Data API talks to: a Serverless workgroup or a provisioned cluster. */
export type RedshiftTarget = { workgroup: string } | { cluster: string };

/** A Data API client as the driver uses it: tests pass a fake `send`, production the SDK client. */
export interface CommandSender {
  send(command: object): Promise<unknown>;
  destroy?(): void;
}

/**
 * Options of the Redshift dialect. Only `target` and `database` are required; every default below
 * says why it was chosen. The core never reads the environment: the CLI and the Lambda handler turn
 * `redshift-data://…` URLs and variables into this object.
 */
export interface RedshiftDialectConfig {
  /** `{ workgroup }` (Serverless: WorkgroupName) or `{ cluster }` (provisioned: ClusterIdentifier). */
  target: RedshiftTarget;
  /** The database the statements run in (Database). */
  database: string;
  /**
   * Secrets Manager secret with the database credentials (SecretArn). Default none: Serverless then
   * runs as `IAMR:<role-name>` (which needs GRANTs), a cluster as the caller's IAM identity
   * (GetClusterCredentialsWithIAM) unless `dbUser` is given.
   */
  secretArn?: string;
  /** Provisioned only: the database user for temporary credentials (DbUser), when there is no secret. */
  dbUser?: string;
  /**
   * Role COPY assumes to read the Parquet objects and the manifest (`IAM_ROLE '<arn>'`). Default
   * `default`: the role set as the namespace's or cluster's default, so no ARN is needed in config.
   */
  copyRoleArn?: string;
  /**
   * `s3://bucket/prefix/` where each load writes its COPY manifest (needs s3:PutObject there, nothing
   * else). Required for loads; queries and DDL work without it. Manifests are left in place as a
   * record of what each batch copied: expire the prefix with a lifecycle rule.
   */
  manifestPrefix?: string;
  /** First DescribeStatement poll after this many ms. Default 200: small loads finish in about a second. */
  pollIntervalMs?: number;
  /** Polls back off by this factor per poll. Default 1.5. */
  pollBackoff?: number;
  /** Longest wait between polls in ms. Default 5000: long COPYs are not polled more than needed. */
  maxPollIntervalMs?: number;
  /**
   * Longest a statement may run, in ms, before it is cancelled and reported as retryable. Default
   * 600000 (10 min): below a Lambda's 15-minute ceiling, so the invocation can still report.
   */
  statementDeadlineMs?: number;
  /** Region for both clients. Default: the SDK's chain (AWS_REGION, profile). */
  region?: string;
  /**
   * Clients to use instead of new SDK clients (tests, or shared clients in a Lambda). The SDK clients
   * honour `AWS_ENDPOINT_URL_REDSHIFT_DATA` and `AWS_ENDPOINT_URL_S3` themselves.
   */
  clients?: { data: CommandSender; s3: CommandSender };
  /**
   * The database's isolation level, when known: `snapshot` lets loads of different tables run side
   * by side, `serializable` makes every load lock the ledger first. Default: read from
   * STV_DB_ISOLATION_LEVEL at the first load, and where the loader's user cannot see its database's
   * row there, assumed serializable (safe, but one load at a time per database).
   */
  isolation?: 'snapshot' | 'serializable';
  /**
   * The schema every table name is qualified with. Default: the session's `current_schema()`, read
   * once when the warehouse opens. Unqualified, a name would resolve in a system schema first.
   */
  schema?: string;
}

/** The config with every default applied. */
export type ResolvedRedshiftConfig = Required<
  Pick<
    RedshiftDialectConfig,
    'pollIntervalMs' | 'pollBackoff' | 'maxPollIntervalMs' | 'statementDeadlineMs' | 'copyRoleArn'
  >
> &
  RedshiftDialectConfig;

/** Applies the defaults documented on `RedshiftDialectConfig`. */
export function resolveRedshiftConfig(config: RedshiftDialectConfig): ResolvedRedshiftConfig {
  return {
    ...config,
    copyRoleArn: config.copyRoleArn ?? 'default',
    pollIntervalMs: config.pollIntervalMs ?? 200,
    pollBackoff: config.pollBackoff ?? 1.5,
    maxPollIntervalMs: config.maxPollIntervalMs ?? 5000,
    statementDeadlineMs: config.statementDeadlineMs ?? 600_000,
  };
}
