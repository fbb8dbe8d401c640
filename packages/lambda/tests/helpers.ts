// Test helpers: a handler that only routes, a Lambda context (the runtime is the one thing not here), fixture events (from testkit), and
// stdout captured as the JSON lines Powertools writes (logs and EMF documents).
import { Loader, openWarehouse } from '@lakeload/loader';
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';
import { createHandler, type LakeloadHandler } from '../src/handler.js';

/**
 * A Lambda context whose remaining time comes from `remaining` in turn (the last value repeats),
 * so a test decides exactly when the time runs short.
 */
export function lambdaContext(remaining: readonly number[] = [900_000]): Context & { calls: () => number } {
  let calls = 0;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'lakeload',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:lakeload',
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/lakeload',
    logStreamName: '2025/11/13/[$LATEST]2f1b3c4d5e6f',
    getRemainingTimeInMillis: () => remaining[Math.min(calls++, remaining.length - 1)] ?? 0,
    done: () => {},
    fail: () => {},
    succeed: () => {},
    calls: () => calls,
  };
}

export { eventFixture as fixture } from '@lakeload/testkit/events';

/**
 * Runs `work` with stdout and stderr captured (Powertools writes warnings and errors to stderr);
 * returns its result or error and the JSON lines written meanwhile, in order.
 */
export async function capturingStdout<T>(
  work: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; lines: Record<string, unknown>[] }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    const result = await work();
    return { result, lines: parseLines(chunks.join('')) };
  } catch (error) {
    return { error, lines: parseLines(chunks.join('')) };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The EMF documents among captured lines, as {table, metric → values}. */
export function emfByTable(lines: readonly Record<string, unknown>[]): Map<string, Record<string, number[]>> {
  const byTable = new Map<string, Record<string, number[]>>();
  for (const line of lines) {
    const aws = line._aws as
      | { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }
      | undefined;
    if (!aws) continue;
    const table = String(line.table);
    const metrics = byTable.get(table) ?? {};
    for (const { Name } of aws.CloudWatchMetrics[0]?.Metrics ?? []) {
      const value = line[Name];
      metrics[Name] = [...(metrics[Name] ?? []), ...(Array.isArray(value) ? value : [value])] as number[];
    }
    byTable.set(table, metrics);
  }
  return byTable;
}

export const GOOD_ENV = {
  LAKELOAD_WAREHOUSE_URL: 'duckdb::memory:',
  LAKELOAD_COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/lakeload-copy',
  LAKELOAD_MANIFEST_PREFIX: 's3://lake-bucket/_lakeload/manifests/',
  POWERTOOLS_SERVICE_NAME: 'lakeload',
  POWERTOOLS_METRICS_NAMESPACE: 'lakeload',
};

/**
 * The handler with the core's real parser, router and loader over an in-memory DuckDB warehouse,
 * for objects that routing skips (none is Parquet): the path it is handed is never opened.
 */
export async function routingOnlyHandler(): Promise<{
  handler: LakeloadHandler;
  close: () => Promise<void>;
}> {
  const driver = await openWarehouse('duckdb::memory:');
  const handler = createHandler({
    env: GOOD_ENV,
    connect: async (config) => {
      const loader = new Loader({ driver, tables: config.tables });
      return {
        loadObjects: async (refs) =>
          Promise.all(refs.map((ref) => loader.loadFile(ref, `/nonexistent/${ref.key}`))),
      };
    },
  });
  return { handler, close: () => driver.close() };
}
