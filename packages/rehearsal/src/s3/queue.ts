// A small local SQS standard queue in front of a Lambda handler: messages are delivered in batches as
// the SQS event source mapping does (`Records[].eventSource == "aws:sqs"`, body, messageId,
// receiptHandle, attributes with ApproximateReceiveCount), the handler's batchItemFailures come back
// for another receive, and a message failing maxReceiveCount times moves to the dead-letter list.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** An SQS record as Lambda receives it. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The Lambda context members a handler may use; getRemainingTimeInMillis counts down for real. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A Lambda handler for SQS events; its answer is read as a partial batch response when it is one. */
export type SqsHandler = (event: SqsEvent, context: LambdaContext) => Promise<unknown>;

export interface QueueMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  /** The last failure: the handler's error, or "reported in batchItemFailures". */
  lastError?: string;
}

export interface LocalQueueOptions {
  name?: string;
  region?: string;
  accountId?: string;
  /** Receives before a message moves to the dead-letter list (default 5, the facts' minimum). */
  maxReceiveCount?: number;
  /** Records per invocation (default 10, the SQS event source's default). */
  batchSize?: number;
  /** The function's timeout for getRemainingTimeInMillis (default 60 s). */
  timeoutMs?: number;
  functionName?: string;
}

/** One handler invocation while draining. */
export interface Invocation {
  messageIds: string[];
  /** The records as the handler received them. */
  records: SqsRecord[];
  failed: string[];
  /** Set when the handler threw (the whole batch failed). */
  error?: string;
}

export interface DrainReport {
  invocations: Invocation[];
  /** Messages moved to the dead-letter list during this drain. */
  deadLettered: QueueMessage[];
}

export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly #options: Required<Omit<LocalQueueOptions, 'name'>>;
  #visible: QueueMessage[] = [];
  /** Messages that failed maxReceiveCount times, oldest first. */
  readonly deadLetters: QueueMessage[] = [];

  constructor(options: LocalQueueOptions = {}) {
    this.name = options.name ?? 'lakeload-events';
    this.#options = {
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      maxReceiveCount: options.maxReceiveCount ?? 5,
      batchSize: options.batchSize ?? 10,
      timeoutMs: options.timeoutMs ?? 60_000,
      functionName: options.functionName ?? 'lakeload',
    };
    this.arn = `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:${this.name}`;
  }

  /** Enqueues a message body; returns its messageId. */
  send(body: string): string {
    const messageId = randomUUID();
    this.#visible.push({ messageId, body, sentTimestamp: Date.now(), receiveCount: 0 });
    return messageId;
  }

  /** Messages waiting to be received. */
  get depth(): number {
    return this.#visible.length;
  }

  #record(message: QueueMessage): SqsRecord {
    return {
      messageId: message.messageId,
      receiptHandle: randomBytes(96).toString('base64'),
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        SenderId: 'AIDAIS3NOTIFICATIONS',
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.#options.region,
    };
  }

  #context(): LambdaContext {
    const deadline = Date.now() + this.#options.timeoutMs;
    const { functionName, region, accountId } = this.#options;
    return {
      awsRequestId: randomUUID(),
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
      memoryLimitInMB: '1024',
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
  }

  /**
   * Delivers batches until the queue is empty: failed messages (reported in batchItemFailures, or
   * the whole batch when the handler throws or names an unknown id) are received again until
   * maxReceiveCount, then dead-lettered. Each handler stands for one execution environment and
   * takes one batch at a time; several handlers run side by side, as concurrent Lambda instances.
   */
  async drain(handlers: SqsHandler | readonly SqsHandler[]): Promise<DrainReport> {
    const report: DrainReport = { invocations: [], deadLettered: [] };
    const environments = typeof handlers === 'function' ? [handlers] : [...handlers];
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const worker = async (handler: SqsHandler) => {
      for (;;) {
        if (this.#visible.length === 0) {
          // Nothing to receive now; a batch in flight may still send messages back.
          if (inFlight === 0) return;
          await new Promise<void>((resolve) => {
            const previous = wake;
            wake = () => {
              previous?.();
              resolve();
            };
          });
          continue;
        }
        inFlight++;
        try {
          await this.#invoke(handler, this.#visible.splice(0, this.#options.batchSize), report);
        } finally {
          inFlight--;
          const waiting = wake;
          wake = undefined;
          waiting?.();
        }
      }
    };
    await Promise.all(environments.map(worker));
    return report;
  }

  async #invoke(handler: SqsHandler, batch: QueueMessage[], report: DrainReport): Promise<void> {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
    }
    const records = batch.map((message) => this.#record(message));
    const ids = batch.map((message) => message.messageId);
    const invocation: Invocation = { messageIds: ids, records, failed: [] };
    let failed: Set<string>;
    try {
      const response = await handler({ Records: records }, this.#context());
      const reported = ((response as Partial<BatchResponse> | undefined)?.batchItemFailures ?? []).map(
        (failure) => failure.itemIdentifier,
      );
      // Lambda treats an identifier that is not in the batch as a failure of the whole batch.
      failed = reported.every((id) => ids.includes(id)) ? new Set(reported) : new Set(ids);
    } catch (error) {
      invocation.error = error instanceof Error ? error.message : String(error);
      failed = new Set(ids);
    }
    invocation.failed = [...failed];
    report.invocations.push(invocation);
    for (const message of batch) {
      if (!failed.has(message.messageId)) continue;
      message.lastError = invocation.error ?? 'reported in batchItemFailures';
      if (message.receiveCount >= this.#options.maxReceiveCount) {
        this.deadLetters.push(message);
        report.deadLettered.push(message);
      } else {
        this.#visible.push(message);
      }
    }
  }
}
