/**
 * The one typed configuration both stacks are built from. Every value that differs between
 * environments lives here; the constructs only read it.
 */
import { TerminalError } from '@lakeload/errors';

/** The environments lakeload deploys to, in promotion order. */
export const ENVIRONMENTS = ['staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** The loader's SNS `event_type` values (packages/loader/src/notify/sns.ts). */
export const LOAD_EVENT_TYPES = ['received', 'loaded', 'duplicate', 'skipped', 'failed'] as const;
export type LoadEventType = (typeof LOAD_EVENT_TYPES)[number];

/** Alarm thresholds; each alarm fires into the SNS topic. */
export interface AlarmThresholds {
  /** Lambda `Errors` sum per 5 minutes at or above which the alarm fires. */
  readonly lambdaErrors: number;
  /** Lambda `Throttles` sum per 5 minutes at or above which the alarm fires. */
  readonly lambdaThrottles: number;
  /** Fraction of the function timeout the p99 `Duration` may reach before alarming (0–1). */
  readonly durationFractionOfTimeout: number;
  /** `ApproximateAgeOfOldestMessage` (seconds) of the main queue at which loads are "late". */
  readonly oldestMessageAgeSeconds: number;
}

/** Everything one environment's stack needs. */
export interface EnvironmentConfig {
  readonly environment: EnvironmentName;
  /** Project name: the `project` tag and the first part of every resource name. */
  readonly project: string;
  readonly region: string;
  /** Exactly three Availability Zones (Redshift Serverless needs subnets in at least three). */
  readonly availabilityZones: readonly [string, string, string];
  readonly network: {
    readonly vpcCidr: string;
    /** One private subnet per Availability Zone, same order as `availabilityZones`. */
    readonly privateSubnetCidrs: readonly [string, string, string];
    /**
     * A NAT gateway (with a public subnet and an internet gateway) for egress beyond the VPC
     * endpoints. Off by default: the Lambda needs only S3 and the interface endpoints.
     */
    readonly natGateway:
      | { readonly enabled: false }
      | { readonly enabled: true; readonly publicSubnetCidr: string };
  };
  readonly bucket: {
    /** Days after which objects under `_rejects/` expire. */
    readonly rejectsExpirationDays: number;
    /** Days after which a replaced (noncurrent) object version expires. */
    readonly noncurrentVersionExpirationDays: number;
    /** Days after which COPY manifests under `_lakeload/manifests/` expire (they are needed only during a load). */
    readonly manifestExpirationDays: number;
    /** Days the landing bucket's server access logs are kept (in the access-log bucket). */
    readonly accessLogExpirationDays: number;
    /** Lets `terraform destroy` delete a bucket that still holds objects (staging only). */
    readonly forceDestroy: boolean;
  };
  readonly lambda: {
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    /**
     * Concurrency reserved for (and capping) the function, or null for none. Lambda refuses a
     * reservation that leaves fewer than 100 unreserved executions in the account
     * (docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html): the account's
     * concurrency quota must be ≥ this + 100 (new accounts start at 10). deploy.yml checks it first.
     */
    readonly reservedConcurrency: number | null;
    /** SQS event source `ScalingConfig.MaximumConcurrency` (≥ 2, ≤ reserved concurrency). */
    readonly maxConcurrency: number;
    readonly batchSize: number;
    readonly maximumBatchingWindowSeconds: number;
    readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  };
  readonly queue: {
    /** Receives before a message moves to the dead-letter queue (≥ 5). */
    readonly maxReceiveCount: number;
    readonly retentionSeconds: number;
    /** Must exceed `retentionSeconds`: a message's age is kept when it moves to the DLQ. */
    readonly deadLetterRetentionSeconds: number;
  };
  readonly warehouse: {
    readonly database: string;
    readonly adminUsername: string;
    /** Base capacity in RPUs, set explicitly (the service default is 128). */
    readonly baseRpu: number;
    /**
     * Upper bound the workgroup may scale to (a cost ceiling; a multiple of 8). Kept ≥ 24 in both
     * environments: the service's lower limit for max capacity is not documented where we could check.
     */
    readonly maxRpu: number;
  };
  readonly notifications: {
    /** Email addresses subscribed to the topic; each must confirm the subscription email. */
    readonly emailSubscribers: readonly string[];
    /**
     * Load events (the loader's `event_type` message attribute) the email subscribers receive, or
     * null for every message. Alarms carry no `event_type` and always get through. Production sends
     * on-call only failures: every deploy's smoke load would otherwise page them.
     */
    readonly emailEventTypes: readonly LoadEventType[] | null;
  };
  readonly logRetentionDays: number;
  readonly kmsDeletionWindowDays: number;
  readonly alarms: AlarmThresholds;
}

/** Retention values CloudWatch Logs accepts (days). */
const LOG_RETENTION_DAYS = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

const common = {
  project: 'lakeload',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  queue: {
    maxReceiveCount: 5,
    retentionSeconds: 4 * 24 * 3600,
    deadLetterRetentionSeconds: 14 * 24 * 3600,
  },
  kmsDeletionWindowDays: 30,
} as const;

/** The configuration of both environments. Edit here; the tests check every invariant. */
export const environments: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  staging: {
    ...common,
    environment: 'staging',
    network: {
      vpcCidr: '10.40.0.0/16',
      privateSubnetCidrs: ['10.40.0.0/20', '10.40.16.0/20', '10.40.32.0/20'],
      natGateway: { enabled: false },
    },
    bucket: {
      rejectsExpirationDays: 14,
      noncurrentVersionExpirationDays: 7,
      manifestExpirationDays: 2,
      accessLogExpirationDays: 30,
      forceDestroy: true,
    },
    lambda: {
      memoryMb: 1024,
      timeoutSeconds: 300,
      // None in staging: it runs in accounts whose concurrency quota is still the new-account 10.
      reservedConcurrency: null,
      maxConcurrency: 2,
      batchSize: 10,
      maximumBatchingWindowSeconds: 5,
      logLevel: 'DEBUG',
    },
    warehouse: { database: 'lakeload', adminUsername: 'lakeload_admin', baseRpu: 8, maxRpu: 32 },
    notifications: { emailSubscribers: ['lakeload-staging@example.com'], emailEventTypes: null },
    logRetentionDays: 14,
    alarms: {
      lambdaErrors: 1,
      lambdaThrottles: 1,
      durationFractionOfTimeout: 0.8,
      oldestMessageAgeSeconds: 900,
    },
  },
  production: {
    ...common,
    environment: 'production',
    network: {
      vpcCidr: '10.50.0.0/16',
      privateSubnetCidrs: ['10.50.0.0/20', '10.50.16.0/20', '10.50.32.0/20'],
      natGateway: { enabled: false },
    },
    bucket: {
      rejectsExpirationDays: 90,
      noncurrentVersionExpirationDays: 30,
      manifestExpirationDays: 7,
      accessLogExpirationDays: 365,
      forceDestroy: false,
    },
    lambda: {
      memoryMb: 2048,
      timeoutSeconds: 600,
      reservedConcurrency: 20,
      maxConcurrency: 10,
      batchSize: 10,
      maximumBatchingWindowSeconds: 10,
      logLevel: 'INFO',
    },
    warehouse: { database: 'lakeload', adminUsername: 'lakeload_admin', baseRpu: 32, maxRpu: 128 },
    notifications: { emailSubscribers: ['lakeload-oncall@example.com'], emailEventTypes: ['failed'] },
    logRetentionDays: 90,
    alarms: {
      lambdaErrors: 1,
      lambdaThrottles: 5,
      durationFractionOfTimeout: 0.8,
      oldestMessageAgeSeconds: 600,
    },
  },
};

/** Thrown when a configuration breaks an invariant; the message names the field and the fix. */
export class InfraConfigError extends TerminalError {
  override readonly name = 'InfraConfigError';
  static override readonly tip: string =
    'Fix the fields the message lists in the stage configuration (infra/src/config.ts), then synthesize again.';
}

/** SQS caps a queue's visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

/** The queue's visibility timeout: 6 × the function timeout, as AWS recommends for Lambda consumers. */
export function visibilityTimeoutSeconds(config: EnvironmentConfig): number {
  return 6 * config.lambda.timeoutSeconds;
}

/** Checks the invariants AWS or our design needs; throws one error listing every violation. */
export function validateConfig(config: EnvironmentConfig): EnvironmentConfig {
  const problems: string[] = [];
  const where = (field: string) => `${config.environment}.${field}`;
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(config.project)) {
    problems.push(`${where('project')}: use 2–21 lowercase letters, digits or dashes (it prefixes names)`);
  }
  if (new Set(config.availabilityZones).size !== 3) {
    problems.push(`${where('availabilityZones')}: list three distinct zones (Redshift Serverless needs 3)`);
  }
  for (const zone of config.availabilityZones) {
    if (!zone.startsWith(config.region)) {
      problems.push(`${where('availabilityZones')}: ${zone} is not in region ${config.region}`);
    }
  }
  if (new Set(config.network.privateSubnetCidrs).size !== 3) {
    problems.push(`${where('network.privateSubnetCidrs')}: give three distinct CIDRs, one per zone`);
  }
  const { lambda, queue, warehouse } = config;
  if (lambda.timeoutSeconds < 1 || lambda.timeoutSeconds > 900) {
    problems.push(`${where('lambda.timeoutSeconds')}: Lambda allows 1–900 seconds`);
  }
  if (visibilityTimeoutSeconds(config) > MAX_VISIBILITY_SECONDS) {
    problems.push(
      `${where('lambda.timeoutSeconds')}: 6 × timeout exceeds the 12 h SQS visibility maximum; lower the timeout`,
    );
  }
  if (lambda.memoryMb < 128 || lambda.memoryMb > 10_240) {
    problems.push(`${where('lambda.memoryMb')}: Lambda allows 128–10240 MB`);
  }
  if (lambda.maxConcurrency < 2 || lambda.maxConcurrency > 1000) {
    problems.push(`${where('lambda.maxConcurrency')}: the SQS event source allows 2–1000`);
  }
  if (lambda.reservedConcurrency !== null && lambda.reservedConcurrency < 1) {
    problems.push(`${where('lambda.reservedConcurrency')}: reserve at least 1, or null for no reservation`);
  }
  if (lambda.reservedConcurrency !== null && lambda.maxConcurrency > lambda.reservedConcurrency) {
    problems.push(
      `${where('lambda.maxConcurrency')}: above reservedConcurrency the extra pollers are only throttled; lower it or raise the reservation`,
    );
  }
  if (queue.maxReceiveCount < 5) {
    problems.push(
      `${where('queue.maxReceiveCount')}: use at least 5 so throttled batches are not dead-lettered`,
    );
  }
  if (queue.deadLetterRetentionSeconds <= queue.retentionSeconds) {
    problems.push(`${where('queue.deadLetterRetentionSeconds')}: must exceed queue.retentionSeconds`);
  }
  for (const [field, seconds] of [
    ['queue.retentionSeconds', queue.retentionSeconds],
    ['queue.deadLetterRetentionSeconds', queue.deadLetterRetentionSeconds],
  ] as const) {
    if (seconds < 60 || seconds > 1_209_600) problems.push(`${where(field)}: SQS allows 60 s – 14 days`);
  }
  // Serverless base capacity: 4 RPU, or 8–512 in steps of 8.
  const rpuOk = (rpu: number) => rpu === 4 || (rpu >= 8 && rpu <= 512 && rpu % 8 === 0);
  if (!rpuOk(warehouse.baseRpu)) {
    problems.push(`${where('warehouse.baseRpu')}: use 4, or 8–512 in steps of 8`);
  }
  if (warehouse.maxRpu < warehouse.baseRpu || warehouse.maxRpu % 8 !== 0) {
    problems.push(`${where('warehouse.maxRpu')}: use a multiple of 8, at least warehouse.baseRpu`);
  }
  if (!LOG_RETENTION_DAYS.has(config.logRetentionDays)) {
    problems.push(
      `${where('logRetentionDays')}: CloudWatch Logs accepts ${[...LOG_RETENTION_DAYS].join(', ')}`,
    );
  }
  if (config.kmsDeletionWindowDays < 7 || config.kmsDeletionWindowDays > 30) {
    problems.push(`${where('kmsDeletionWindowDays')}: KMS allows 7–30 days`);
  }
  const fraction = config.alarms.durationFractionOfTimeout;
  if (!(fraction > 0 && fraction < 1)) {
    problems.push(`${where('alarms.durationFractionOfTimeout')}: use a fraction between 0 and 1`);
  }
  for (const email of config.notifications.emailSubscribers) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      problems.push(`${where('notifications.emailSubscribers')}: "${email}" is not an email address`);
    }
  }
  if (problems.length > 0) {
    throw new InfraConfigError(`Invalid infrastructure configuration:\n- ${problems.join('\n- ')}`);
  }
  return config;
}

/** Tags every resource carries (applied through the provider's `default_tags`). */
export function tagsFor(config: EnvironmentConfig): Record<string, string> {
  return { project: config.project, environment: config.environment, 'managed-by': 'cdktf' };
}

/** `<project>-<environment>-<suffix>`: the one naming scheme. */
export function nameFor(config: EnvironmentConfig, suffix: string): string {
  return `${config.project}-${config.environment}-${suffix}`;
}
