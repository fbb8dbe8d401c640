// The Redshift Data API as the driver uses it: every call names the same workgroup or cluster,
// database and credentials; every statement is submitted, then DescribeStatement is polled with
// backoff until FINISHED, FAILED or ABORTED, or until the deadline, when it is cancelled. The only
// module that sends Data API commands; what a failure means is redshift-errors.ts's to say.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementResponse,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import { LoaderError } from '../../errors.js';
import type { CommandSender, ResolvedRedshiftConfig } from './redshift-dialect-config.js';
import {
  mapAwsError,
  RedshiftDeadlineError,
  RedshiftStatementError,
  statementFailure,
} from './redshift-errors.js';

/** Clock and sleep of the poll loop: real ones by default, a fake in the lifecycle tests. */
export interface PollTimer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimer: PollTimer = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

// Consecutive retryable DescribeStatement failures tolerated while a statement runs.
const MAX_POLL_HICCUPS = 5;

/** Builds the error of a FAILED statement from its description. */
type Failure = (described: DescribeStatementResponse) => LoaderError;

/** One column of a Data API record as JSON: big integers as strings, bytes as base64. */
function fieldValue(field: Field): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined)
    return Number.isSafeInteger(field.longValue) ? field.longValue : String(field.longValue);
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  return null;
}

/** Submits statements through the Data API and waits for them. */
export class DataApi {
  readonly #config: ResolvedRedshiftConfig;
  readonly #client: CommandSender;
  readonly #timer: PollTimer;

  constructor(config: ResolvedRedshiftConfig, client: CommandSender, timer: PollTimer) {
    this.#config = config;
    this.#client = client;
    this.#timer = timer;
  }

  /** Where and as whom statements run: the same fields on every Data API call. */
  #target(): {
    WorkgroupName?: string;
    ClusterIdentifier?: string;
    Database: string;
    SecretArn?: string;
    DbUser?: string;
  } {
    const config = this.#config;
    return {
      ...('workgroup' in config.target
        ? { WorkgroupName: config.target.workgroup }
        : { ClusterIdentifier: config.target.cluster }),
      Database: config.database,
      ...(config.secretArn === undefined ? {} : { SecretArn: config.secretArn }),
      ...(config.dbUser === undefined ? {} : { DbUser: config.dbUser }),
    };
  }

  async #send<T>(command: object, context: string): Promise<T> {
    try {
      return (await this.#client.send(command)) as T;
    } catch (error) {
      throw mapAwsError(error, context);
    }
  }

  /** The client's region: the SDK client's own, where it has one. */
  async region(): Promise<string | undefined> {
    const provider = (this.#client as { config?: { region?: unknown } }).config?.region;
    if (typeof provider === 'string') return provider;
    if (typeof provider === 'function')
      return (await (provider as () => Promise<string>)().catch(() => undefined)) ?? undefined;
    return undefined;
  }

  /**
   * Polls until the statement ends. Waits start at pollIntervalMs and grow by pollBackoff up to
   * maxPollIntervalMs; past statementDeadlineMs the statement is cancelled and a retryable
   * RedshiftDeadlineError raised (a late commit is harmless: the ledger makes the retry a duplicate).
   */
  async #wait(id: string, context: string, failure: Failure): Promise<DescribeStatementResponse> {
    const config = this.#config;
    const deadline = this.#timer.now() + config.statementDeadlineMs;
    let interval = config.pollIntervalMs;
    let hiccups = 0;
    for (;;) {
      let described: DescribeStatementResponse;
      try {
        described = await this.#send<DescribeStatementResponse>(
          new DescribeStatementCommand({ Id: id }),
          `${context}: DescribeStatement`,
        );
      } catch (error) {
        // A throttled or failed poll says nothing about the statement, which keeps running: poll
        // again rather than abandon it (a few times; then the load is retried as a whole).
        if (!(error instanceof LoaderError && error.retryable) || ++hiccups > MAX_POLL_HICCUPS) throw error;
        await this.#timer.sleep(interval);
        continue;
      }
      hiccups = 0;
      switch (described.Status) {
        case 'FINISHED':
          return described;
        case 'FAILED':
          throw failure(described);
        case 'ABORTED':
          throw new RedshiftStatementError(
            `${context}: statement ${id} was aborted (cancelled by a user or the service)`,
            {
              retryable: true,
              statementId: id,
            },
          );
      }
      const left = deadline - this.#timer.now();
      if (left <= 0) {
        await this.#client.send(new CancelStatementCommand({ Id: id })).catch(() => {});
        throw new RedshiftDeadlineError(
          `${context}: statement ${id} was still ${described.Status ?? 'running'} after ${config.statementDeadlineMs} ms and was cancelled; it is retried (the ledger makes a load that committed anyway a duplicate)`,
          { retryable: true },
        );
      }
      await this.#timer.sleep(Math.min(interval, left));
      interval = Math.min(interval * config.pollBackoff, config.maxPollIntervalMs);
    }
  }

  /** Runs one statement on its own (committed by itself) and waits for it. */
  async execute(sql: string, context: string): Promise<DescribeStatementResponse> {
    const { Id } = await this.#send<{ Id?: string }>(
      new ExecuteStatementCommand({ ...this.#target(), Sql: sql }),
      `${context}: ExecuteStatement`,
    );
    if (!Id)
      throw new LoaderError(`${context}: ExecuteStatement returned no statement id`, { retryable: true });
    return this.#wait(Id, context, (described) => statementFailure(described, context));
  }

  /**
   * Runs statements as one BatchExecuteStatement (one transaction) and waits for it; `failure`
   * explains a failed sub-statement. `token` is the client token: the same on every SDK retry of the
   * call, so that the service runs the batch once.
   */
  async batch(
    sqls: readonly string[],
    token: string,
    context: string,
    failure: Failure,
  ): Promise<DescribeStatementResponse> {
    const { Id } = await this.#send<{ Id?: string }>(
      new BatchExecuteStatementCommand({
        ...this.#target(),
        Sqls: [...sqls],
        StatementName: `lakeload ${token}`,
        ClientToken: token,
      }),
      `${context}: BatchExecuteStatement`,
    );
    if (!Id)
      throw new LoaderError(`${context}: BatchExecuteStatement returned no statement id`, {
        retryable: true,
      });
    return this.#wait(Id, context, failure);
  }

  /** Rows of one statement, every page of its result, column names in lower case. */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const described = await this.execute(sql, 'query failed');
    if (!described.HasResultSet || described.Id === undefined) return [];
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send<{
        ColumnMetadata?: { name?: string; label?: string }[];
        Records?: Field[][];
        NextToken?: string;
      }>(
        new GetStatementResultCommand({ Id: described.Id, ...(token ? { NextToken: token } : {}) }),
        'query failed: GetStatementResult',
      );
      // Names in lower case, as Redshift folds them, also where the session has
      // describe_field_name_in_uppercase on (https://docs.aws.amazon.com/redshift/latest/dg/r_describe_field_name_in_uppercase.html).
      const names = (page.ColumnMetadata ?? []).map((column, index) =>
        (column.label ?? column.name ?? `column${index}`).toLowerCase(),
      );
      for (const record of page.Records ?? [])
        rows.push(
          Object.fromEntries(
            record.map((field, index) => [names[index] ?? `column${index}`, fieldValue(field)]),
          ),
        );
      token = page.NextToken;
    } while (token);
    return rows;
  }

  destroy(): void {
    this.#client.destroy?.();
  }
}
