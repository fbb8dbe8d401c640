// The function's configuration: environment variables only, checked all at once at cold start so
// that one deployment error lists every problem instead of the first.
import {
  ConfigError,
  type LoadEvent,
  LoaderError,
  parseLoaderConfig,
  parseWarehouseUrl,
  redactUrl,
  registerSecretsOf,
  type TableSettings,
} from '@lakeload/loader';

/** The environment as the function receives it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What the environment says, checked. */
export interface LambdaConfig {
  /** `LAKELOAD_WAREHOUSE_URL`: `redshift-data://…` in production. */
  warehouseUrl: string;
  /** `LAKELOAD_COPY_ROLE_ARN`: the role Redshift assumes to read the objects for COPY. */
  copyRoleArn: string;
  /** `LAKELOAD_MANIFEST_PREFIX`: `s3://bucket/prefix/` where COPY manifests are written. */
  manifestPrefix: string;
  /** `LAKELOAD_SNS_TOPIC_ARN`: notifications go there when set. */
  snsTopicArn?: string;
  /** `LAKELOAD_SNS_EVENTS`: which events are published. Default received, loaded, failed. */
  snsEvents?: LoadEvent['type'][];
  /** `LAKELOAD_TABLES`: per-table settings, the configuration file's `tables`. */
  tables: Record<string, TableSettings>;
  /** `LAKELOAD_SAFETY_MARGIN_MS`: no new file starts with less time than this left. Default 10000. */
  safetyMarginMs: number;
  /** `POWERTOOLS_SERVICE_NAME`, default `lakeload`. */
  serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`, default `lakeload`. */
  metricsNamespace: string;
}

/** The environment is wrong; the message lists every problem found, one per line. */
export class LambdaConfigError extends LoaderError {
  override name = 'LambdaConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `lakeload: the function's environment has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

export const DEFAULT_SAFETY_MARGIN_MS = 10_000;

const EVENT_TYPES: readonly LoadEvent['type'][] = ['received', 'loaded', 'duplicate', 'skipped', 'failed'];
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const S3_PREFIX = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(.+\/)?$/;

export interface ReadConfigOptions {
  /** Warehouse dialects this build can open (the bundle: `redshift`). Default: any the core parses. */
  dialects?: readonly string[];
}

/**
 * Reads and checks the function's environment (the variables of the infra contract). Throws one
 * {@link LambdaConfigError} naming every missing or malformed variable and how to fix it.
 */
export function readLambdaConfig(env: Environment, options: ReadConfigOptions = {}): LambdaConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === '' ? undefined : text;
  };

  const warehouseUrl = value('LAKELOAD_WAREHOUSE_URL');
  if (!warehouseUrl) {
    problems.push(
      'LAKELOAD_WAREHOUSE_URL is not set; set it to the warehouse, e.g. redshift-data://workgroup/<name>/<database>',
    );
  } else {
    registerSecretsOf(warehouseUrl);
    try {
      const { dialect } = parseWarehouseUrl(warehouseUrl);
      if (options.dialects && !options.dialects.includes(dialect)) {
        problems.push(
          `LAKELOAD_WAREHOUSE_URL names a ${dialect} warehouse, but this bundle loads into ${options.dialects.join(', ')} only: use redshift-data://workgroup/<name>/<database>`,
        );
      }
    } catch (error) {
      problems.push(
        `LAKELOAD_WAREHOUSE_URL "${redactUrl(warehouseUrl)}" is not usable: ${(error as Error).message}`,
      );
    }
  }

  const copyRoleArn = value('LAKELOAD_COPY_ROLE_ARN');
  if (!copyRoleArn) {
    problems.push(
      'LAKELOAD_COPY_ROLE_ARN is not set; set it to the ARN of the IAM role Redshift assumes for COPY (arn:aws:iam::<account>:role/<name>)',
    );
  } else if (!ROLE_ARN.test(copyRoleArn)) {
    problems.push(
      `LAKELOAD_COPY_ROLE_ARN "${copyRoleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`,
    );
  }

  const manifestPrefix = value('LAKELOAD_MANIFEST_PREFIX');
  if (!manifestPrefix) {
    problems.push(
      'LAKELOAD_MANIFEST_PREFIX is not set; set it to the S3 folder for COPY manifests, e.g. s3://<bucket>/_lakeload/manifests/',
    );
  } else if (!S3_PREFIX.test(manifestPrefix)) {
    problems.push(
      `LAKELOAD_MANIFEST_PREFIX "${manifestPrefix}" is not an S3 folder: expected s3://<bucket>/<prefix>/ ending in "/"`,
    );
  }

  const snsTopicArn = value('LAKELOAD_SNS_TOPIC_ARN');
  if (snsTopicArn && !TOPIC_ARN.test(snsTopicArn)) {
    problems.push(
      `LAKELOAD_SNS_TOPIC_ARN "${snsTopicArn}" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>); unset it to send no notifications`,
    );
  }

  let snsEvents: LoadEvent['type'][] | undefined;
  const events = value('LAKELOAD_SNS_EVENTS');
  if (events) {
    const names = events.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !(EVENT_TYPES as readonly string[]).includes(name));
    if (unknown.length > 0) {
      problems.push(
        `LAKELOAD_SNS_EVENTS names unknown event ${unknown.map((name) => `"${name}"`).join(', ')}; use a comma-separated list of ${EVENT_TYPES.join(', ')}`,
      );
    } else {
      snsEvents = names as LoadEvent['type'][];
    }
  }

  let tables: Record<string, TableSettings> = {};
  const tablesJson = value('LAKELOAD_TABLES');
  if (tablesJson) {
    try {
      tables = parseLoaderConfig({ tables: JSON.parse(tablesJson) as unknown }, 'LAKELOAD_TABLES').tables;
    } catch (error) {
      problems.push(
        error instanceof ConfigError
          ? error.message
          : `LAKELOAD_TABLES is not valid JSON (${(error as Error).message}); expected {"<table>": {"keys": [...], "version": "...", "contract": "evolve"}}`,
      );
    }
  }

  let safetyMarginMs = DEFAULT_SAFETY_MARGIN_MS;
  const margin = value('LAKELOAD_SAFETY_MARGIN_MS');
  if (margin !== undefined) {
    if (/^\d+$/.test(margin) && Number.isSafeInteger(Number(margin))) safetyMarginMs = Number(margin);
    else
      problems.push(
        `LAKELOAD_SAFETY_MARGIN_MS "${margin}" is not a whole number of milliseconds (default 10000)`,
      );
  }

  const logLevel = value('POWERTOOLS_LOG_LEVEL');
  if (logLevel && !LOG_LEVELS.includes(logLevel.toUpperCase())) {
    problems.push(`POWERTOOLS_LOG_LEVEL "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  }

  if (problems.length > 0 || !warehouseUrl || !copyRoleArn || !manifestPrefix) {
    throw new LambdaConfigError(problems);
  }
  return {
    warehouseUrl,
    copyRoleArn,
    manifestPrefix,
    ...(snsTopicArn ? { snsTopicArn } : {}),
    ...(snsEvents ? { snsEvents } : {}),
    tables,
    safetyMarginMs,
    serviceName: value('POWERTOOLS_SERVICE_NAME') ?? 'lakeload',
    metricsNamespace: value('POWERTOOLS_METRICS_NAMESPACE') ?? 'lakeload',
  };
}
