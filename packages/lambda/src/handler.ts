// The one handler for every way an object creation reaches the function: S3 directly (async
// invoke), SQS batches (partial batch responses), EventBridge and SNS. It parses the event with the
// core, hands the objects to the core's loader in rounds while time remains, and reports per record.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type Logger as CoreLogger,
  type EventItem,
  type ObjectRef,
  type ObjectResult,
  objectUri,
  parseEvent,
  redact,
  TransientError,
} from '@lakeload/loader';
import type { NotifyContext } from '@lakeload/loader/sns';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { type Environment, type LambdaConfig, readLambdaConfig } from './env.js';
import { InvocationMetrics } from './metrics.js';

/** What the handler needs from the loading side: the core's `Loader.loadObjects` over a store. */
export interface LoadPort {
  /**
   * One result per reference, in the same order. `signal` aborts between the loader's batches (the
   * call then rejects with the signal's reason); `onResult` hears each result as it is known.
   */
  loadObjects(refs: readonly ObjectRef[], options: LoadRoundOptions): Promise<ObjectResult[]>;
}

export interface LoadRoundOptions {
  signal: AbortSignal;
  onResult: (result: ObjectResult) => void;
}

/** What the loading side may ask about the invocation in progress (its notifiers do). */
export interface Invocation {
  /** The log location and request id, for notifications. */
  notifyContext(): NotifyContext | undefined;
  /** True when the object came in an SQS message delivered before (ApproximateReceiveCount > 1). */
  isRedelivery(uri: string): boolean;
  /** The invocation's time left, in ms (`context.getRemainingTimeInMillis()`). */
  remainingMs(): number;
  /** The function's Powertools logger: what the core logs carries the request id. */
  readonly logger: CoreLogger;
}

/** Opens the loading side (warehouse, object store, notifiers) once per execution environment. */
export type Connect = (config: LambdaConfig, invocation: Invocation) => Promise<LoadPort>;

export interface HandlerOptions {
  /** The function's environment; checked when the handler is made (cold start). */
  env: Environment;
  /** Warehouse dialects `connect` can open; a URL naming another fails the cold start. Default: any. */
  dialects?: readonly string[];
  connect: Connect;
  /**
   * Files handed to the loader at once (one micro-batch round); the remaining time is checked
   * before each round. Default 10.
   */
  filesPerRound?: number;
}

/** The SQS partial batch response, or for other sources the outcome counts (async callers ignore them). */
export type HandlerResult =
  | SQSBatchResponse
  | { loaded: number; duplicates: number; skipped: number; failed: number; ignored: number };

export type LakeloadHandler = (event: unknown, context: Context) => Promise<HandlerResult>;

/**
 * A direct (non-SQS) invocation that must run again: Lambda's async retries apply, and the ledger
 * makes the files that did load duplicates the second time.
 */
export class RetryInvocationError extends TransientError {
  override name = 'RetryInvocationError';
  static override readonly tip: string =
    'Some records could not be loaded in this invocation; Lambda delivers the event again.';
}

/** The reason a round's signal aborts with: the safety margin was reached. */
class TimeShortError extends TransientError {
  override name = 'TimeShortError';
  static override readonly tip: string =
    'The invocation ran short of time: the files not loaded yet go back to the queue and load in the next one.';
}

/** A record's fate: its objects' results, and whether some of them were never started. */
type Outcome = { kind: 'done' | 'unfinished'; results: ObjectResult[] };

function isSqsEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    (records[0] as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs'
  );
}

/** The objects of SQS records received before: `parseEvent` gives one item per record, in order. */
function redeliveredUris(event: unknown, items: readonly EventItem[]): Set<string> {
  const records = (event as { Records: { attributes?: { ApproximateReceiveCount?: string } }[] }).Records;
  const uris = new Set<string>();
  items.forEach((item, index) => {
    if (Number(records[index]?.attributes?.ApproximateReceiveCount ?? '1') > 1) {
      for (const ref of item.objects) uris.add(objectUri(ref));
    }
  });
  return uris;
}

/**
 * The result of an object whose round failed outside the loader's own handling (the warehouse could
 * not be opened, say). Always retryable: no dead letter records it, so only a retry keeps it.
 */
function failedResult(ref: ObjectRef, error: unknown): ObjectResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    uri: objectUri(ref),
    status: 'failed',
    error: message,
    retryable: true,
    tip: 'The loader itself failed for this batch; the record goes back to be tried again.',
    durationMs: 0,
  };
}

/**
 * Makes the handler: checks the environment now (a bad one throws a {@link LambdaConfigError}
 * listing every problem, failing the cold start), connects to the warehouse at the first invocation.
 */
export function createHandler(options: HandlerOptions): LakeloadHandler {
  const config = readLambdaConfig(options.env, options.dialects ? { dialects: options.dialects } : {});
  // Every log line goes through the one redaction: no password or token reaches CloudWatch.
  const logger = new Logger({
    serviceName: config.serviceName,
    jsonReplacerFn: (_key, value) => (typeof value === 'string' ? redact(value) : value),
  });
  const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName });
  // The contract's only dimension is `table`; Powertools would add `service` to every metric.
  metrics.clearDefaultDimensions();
  const filesPerRound = Math.max(1, options.filesPerRound ?? 10);
  let current: NotifyContext | undefined;
  let redelivered = new Set<string>();
  let remaining: (() => number) | undefined;
  const invocation: Invocation = {
    notifyContext: () => current,
    isRedelivery: (uri) => redelivered.has(uri),
    remainingMs: () => remaining?.() ?? 0,
    logger,
  };
  let port: Promise<LoadPort> | undefined;
  const connect = () => {
    port ??= options.connect(config, invocation).catch((error: unknown) => {
      port = undefined; // the next invocation tries again
      throw error;
    });
    return port;
  };

  /**
   * Loads one round. Its signal aborts when the time left reaches the safety margin, so the loader
   * starts no further batch; the objects that got no result are unfinished.
   */
  async function loadRound(
    items: readonly EventItem[],
    outcomes: Map<EventItem, Outcome>,
    budgetMs: number,
  ): Promise<void> {
    const refs = items.flatMap((item) => item.objects);
    const controller = new AbortController();
    const stop = () => controller.abort(new TimeShortError('the safety margin was reached'));
    // With no time to spare the loader still reads and routes, but starts no batch.
    const timer = budgetMs > 0 ? setTimeout(stop, budgetMs) : undefined;
    if (!timer) stop();
    const finished: ObjectResult[] = [];
    let results: (ObjectResult | undefined)[];
    try {
      results = await (await connect()).loadObjects(refs, {
        signal: controller.signal,
        onResult: (result) => finished.push(result),
      });
    } catch (error) {
      if (controller.signal.aborted && error === controller.signal.reason) {
        logger.warn('the safety margin was reached between batches; the files not loaded yet go back', {
          files: refs.length,
          finished: finished.length,
        });
        // Results arrive by URI; a URI named twice in a round takes its results in order.
        results = refs.map((ref) => {
          const at = finished.findIndex((result) => result.uri === objectUri(ref));
          return at === -1 ? undefined : finished.splice(at, 1)[0];
        });
      } else {
        logger.error('the loader failed for a whole round; its records will be tried again', error as Error);
        results = refs.map((ref) => failedResult(ref, error));
      }
    } finally {
      clearTimeout(timer);
    }
    let next = 0;
    for (const item of items) {
      const own = item.objects.map(() => results[next++]);
      const known = own.filter((result): result is ObjectResult => result !== undefined);
      outcomes.set(item, { kind: known.length === own.length ? 'done' : 'unfinished', results: known });
    }
  }

  return async function handler(event: unknown, context: Context): Promise<HandlerResult> {
    logger.addContext(context);
    remaining = () => context.getRemainingTimeInMillis();
    current = {
      requestId: context.awsRequestId,
      logGroup: context.logGroupName,
      logStream: context.logStreamName,
    };
    const tally = new InvocationMetrics();
    try {
      const sqs = isSqsEvent(event);
      let items: EventItem[];
      try {
        items = parseEvent(event);
      } catch (error) {
        // No record could be told apart: nothing to load, and retrying cannot help, but throwing keeps
        // the event (the async on-failure destination; for SQS, the queue's redrive policy).
        logger.error('the event has no known shape', error as Error);
        tally.addUnreadable();
        throw error;
      }

      if (sqs) redelivered = redeliveredUris(event, items);

      const outcomes = new Map<EventItem, Outcome>();
      let round: EventItem[] = [];
      let roundFiles = 0;
      let roundBudgetMs = 0;
      let outOfTime = false;
      for (const item of items) {
        // A record that cannot be read (in part) still loads what it names that can be: its
        // error fails the record below, so nothing it carries is lost.
        if (item.objects.length === 0) {
          outcomes.set(item, { kind: 'done', results: [] });
          continue;
        }
        if (round.length > 0 && roundFiles + item.objects.length > filesPerRound) {
          await loadRound(round, outcomes, roundBudgetMs);
          round = [];
          roundFiles = 0;
        }
        if (round.length === 0 && !outOfTime) {
          const remainingMs = context.getRemainingTimeInMillis();
          roundBudgetMs = remainingMs - config.safetyMarginMs;
          if (roundBudgetMs < 0) {
            outOfTime = true;
            logger.warn('less time remains than the safety margin; no new files are started', {
              remainingMs,
              safetyMarginMs: config.safetyMarginMs,
            });
          }
        }
        if (outOfTime) {
          outcomes.set(item, { kind: 'unfinished', results: [] });
          continue;
        }
        round.push(item);
        roundFiles += item.objects.length;
      }
      if (round.length > 0) await loadRound(round, outcomes, roundBudgetMs);

      const counts = { loaded: 0, duplicates: 0, skipped: 0, failed: 0, ignored: 0 };
      const failedRecords: string[] = [];
      const retry: string[] = [];
      for (const item of items) {
        const outcome: Outcome = outcomes.get(item) ?? { kind: 'unfinished', results: [] };
        for (const reason of item.ignored) {
          counts.ignored += 1;
          logger.info('record acknowledged without work', { recordId: item.recordId, reason });
        }
        let recordFailed = outcome.kind === 'unfinished';
        if (item.error) {
          tally.addUnreadable();
          counts.failed += 1;
          recordFailed = true;
          logger.error('record cannot be read', { recordId: item.recordId, error: item.error.message });
          retry.push(`record ${item.recordId} cannot be read: ${item.error.message}`);
        }
        for (const result of outcome.results) {
          tally.add(result);
          if (result.status === 'loaded') {
            counts.loaded += 1;
            logger.info('loaded', { ...result, recordId: item.recordId });
          } else if (result.status === 'duplicate') {
            counts.duplicates += 1;
            logger.info('already loaded (duplicate delivery)', { ...result, recordId: item.recordId });
          } else if (result.status === 'skipped') {
            counts.skipped += 1;
            logger.info('skipped', { ...result, recordId: item.recordId });
          } else {
            counts.failed += 1;
            recordFailed = true;
            logger.error('load failed', { ...result, recordId: item.recordId });
            if (result.retryable) retry.push(`${result.uri}: ${result.error}`);
          }
        }
        if (outcome.kind === 'unfinished') {
          logger.info('record not finished before the time ran short; it will be delivered again', {
            recordId: item.recordId,
          });
          retry.push(`record ${item.recordId} was not finished in time`);
        }
        if (recordFailed) failedRecords.push(item.recordId);
      }

      if (sqs) return { batchItemFailures: failedRecords.map((itemIdentifier) => ({ itemIdentifier })) };
      // Direct, EventBridge and SNS invocations: permanent failures are dead letters already (and
      // notified); only work that may succeed again makes the invocation fail, so that it is retried.
      if (retry.length > 0) {
        throw new RetryInvocationError(
          `${retry.length} part${retry.length === 1 ? '' : 's'} of the event should be tried again: ${retry.join('; ')}`,
        );
      }
      return counts;
    } finally {
      tally.publish(metrics);
      logger.resetKeys();
      current = undefined;
      redelivered = new Set();
      remaining = undefined;
    }
  };
}
