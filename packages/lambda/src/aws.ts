// The production wiring, and the only module that names the AWS-side pieces of the core: objects
// come from S3 (`s3Store`), notifications go to SNS, the warehouse is opened by `openDriver`.
import { type Driver, Loader, type Notifier, parseWarehouseUrl } from '@lakeload/loader';
import { type RedshiftDialectConfig, redshiftWarehouse } from '@lakeload/loader/redshift';
import { createS3Client, s3Store } from '@lakeload/loader/s3';
import { SnsNotifier } from '@lakeload/loader/sns';
import { type LambdaConfig, LambdaConfigError } from './env.js';
import type { Connect, Invocation } from './handler.js';

/** Opens the warehouse the configuration names, when the first round of an invocation needs it. */
export type OpenDriver = (
  config: LambdaConfig,
  invocation: Pick<Invocation, 'remainingMs'>,
) => Promise<Driver>;

/** The core's default: below Lambda's 15-minute ceiling. */
const DEFAULT_STATEMENT_DEADLINE_MS = 600_000;

/**
 * The Redshift dialect's settings for the function: the warehouse URL's, with the contract's
 * variables winning over the same settings in the URL (infra sets them apart), and a statement
 * deadline that ends before the function's timeout does (the time left at the first round, less the
 * safety margin), so a slow load is cancelled and reported instead of being cut off unreported.
 */
export function redshiftConfigFor(config: LambdaConfig, remainingMs: number): RedshiftDialectConfig {
  const target = parseWarehouseUrl(config.warehouseUrl);
  if (target.dialect !== 'redshift') {
    throw new LambdaConfigError([
      `LAKELOAD_WAREHOUSE_URL names a ${target.dialect} warehouse, not redshift-data://…`,
    ]);
  }
  const budget = remainingMs - config.safetyMarginMs;
  return {
    ...target.config,
    copyRoleArn: config.copyRoleArn,
    manifestPrefix: config.manifestPrefix,
    statementDeadlineMs:
      budget > 0 ? Math.min(DEFAULT_STATEMENT_DEADLINE_MS, budget) : DEFAULT_STATEMENT_DEADLINE_MS,
  };
}

/** Opens the Redshift warehouse of `LAKELOAD_WAREHOUSE_URL` (see {@link redshiftConfigFor}). */
export const openRedshift: OpenDriver = async (config, invocation) =>
  redshiftWarehouse(redshiftConfigFor(config, invocation.remainingMs()));

export interface AwsConnectOptions {
  openDriver: OpenDriver;
  /** Default: the core's S3 client (default credential chain; honours `AWS_ENDPOINT_URL_S3`). */
  s3?: ReturnType<typeof createS3Client>;
}

/**
 * A message that failed for good comes back from the queue until its redrive policy moves it to the
 * DLQ: its file's arrival and permanent failure are announced at the first delivery only, not once per
 * attempt. Outcomes that can change (loaded, retryable failures) are still told every time.
 */
export function onceAcrossRedeliveries(
  inner: Notifier,
  invocation: Pick<Invocation, 'isRedelivery'>,
): Notifier {
  return {
    notify: async (event) => {
      const repeat = event.type === 'received' || (event.type === 'failed' && !event.retryable);
      if (repeat && invocation.isRedelivery(event.uri)) return;
      await inner.notify(event);
    },
  };
}

/**
 * The loading side of the function: the core's Loader over `openDriver`'s warehouse, reading
 * objects through S3, with an SNS notifier when a topic is configured.
 */
export function awsConnect(options: AwsConnectOptions): Connect {
  return async (config, invocation) => {
    const driver = await options.openDriver(config, invocation);
    const store = s3Store(options.s3 ?? createS3Client());
    const notifiers = config.snsTopicArn
      ? [
          onceAcrossRedeliveries(
            new SnsNotifier({
              topicArn: config.snsTopicArn,
              context: invocation.notifyContext,
              ...(config.snsEvents ? { types: config.snsEvents } : {}),
            }),
            invocation,
          ),
        ]
      : [];
    const loader = new Loader({ driver, logger: invocation.logger, tables: config.tables, notifiers });
    return { loadObjects: (refs, options) => loader.loadObjects(refs, store, options) };
  };
}
