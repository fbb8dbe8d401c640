import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_REHEARSAL_POSTGRES, type RehearsalReport, rehearse } from '@lakeload/rehearsal';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT } from '../errors.js';
import { out } from '../output.js';
import { formatBytes, ProgressBar } from '../progress.js';
import { sampleLake } from '../sample-lake.js';

export const rehearseSpec: CommandSpec = {
  name: 'rehearse',
  summary:
    'Try the AWS path without AWS. Starts a local S3 API server, SNS endpoint and Redshift Data API endpoint (executing on PostgreSQL), points the real AWS SDK clients at them with AWS_ENDPOINT_URL_*, uploads generated orders as Parquet and runs the S3 events through a local SQS queue into the real Lambda bundle, then shows what landed and what was notified. It does not prove Redshift itself: its planner, COPY parser, SNAPSHOT isolation or IAM.',
  usage: 'lakeload rehearse [options]',
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: 'dir',
      description:
        'Working folder for generated orders (default out/rehearse); incoming/ and lake/ below it.',
    },
    orders: { type: 'string', short: 'n', valueName: 'N', description: 'Orders per export (default 2000).' },
    lake: {
      type: 'string',
      valueName: 'dir',
      description: 'Upload this folder of converted Parquet files instead of generating orders.',
    },
    postgres: {
      type: 'string',
      valueName: 'URL',
      description: `PostgreSQL standing in for Redshift (default: $LAKELOAD_REHEARSAL_POSTGRES, else ${DEFAULT_REHEARSAL_POSTGRES}).`,
    },
    schema: {
      type: 'string',
      valueName: 'name',
      description: 'Schema the tables land in (default lakeload_rehearsal); dropped first unless --append.',
    },
    append: { type: 'boolean', description: 'Keep what earlier rehearsals loaded into the schema.' },
    duplicates: {
      type: 'boolean',
      description: 'Deliver every S3 event twice (at-least-once delivery): nothing may load twice.',
    },
    'batch-size': {
      type: 'string',
      valueName: 'N',
      description: 'SQS records per Lambda invocation (default 10, as the event source mapping).',
    },
    concurrency: {
      type: 'string',
      valueName: 'N',
      description: 'Function instances taking batches side by side, each its own cold start (default 1).',
    },
    logs: {
      type: 'string',
      valueName: 'file',
      description: "Write the function's log lines (Powertools JSON and EMF metrics) to this file.",
    },
    json: { type: 'boolean', description: 'Print the report as JSON instead of text.' },
  },
  examples: [
    'lakeload rehearse',
    'lakeload rehearse --orders 500 --duplicates --json',
    'lakeload rehearse --lake out/demo/lake --postgres postgres://postgres@127.0.0.1:5432/test',
  ],
};

/** The report as text: what ran where, what landed, what was notified. */
function describeRehearsal(report: RehearsalReport): string {
  const lines = [
    'Local AWS (real SDK clients, via AWS_ENDPOINT_URL_*):',
    `  S3 ${report.endpoints.s3}   Redshift Data API ${report.endpoints.redshiftData}   SNS ${report.endpoints.sns}`,
    `  warehouse ${report.warehouse.url} → PostgreSQL ${report.warehouse.postgres}, schema ${report.warehouse.schema}`,
    '',
    `Uploaded ${report.uploaded.files} files (${formatBytes(report.uploaded.bytes)}); ${report.delivery.invocations} Lambda invocations, ${report.delivery.failedReceives} records reported in batchItemFailures, ${report.delivery.deadLetters.length} in the dead-letter queue.`,
    `Data API: ${report.statements.total} statements (${report.statements.batches} batches, ${report.statements.copies} COPYs, ${report.statements.failed} FAILED).`,
    '',
    'Rows per table:',
    ...report.tables.map(({ table, rows }) => `  ${table.padEnd(24)} ${rows}`),
    'Ledger (lakeload_load_history):',
    ...report.ledger.map(({ status, files }) => `  ${status.padEnd(24)} ${files} files`),
  ];
  if (report.warehouseDeadLetters > 0)
    lines.push(`Dead letters in the warehouse: ${report.warehouseDeadLetters}`);
  for (const letter of report.delivery.deadLetters) {
    lines.push(`  DLQ: ${letter.keys.join(', ') || letter.messageId} after ${letter.receives} receives`);
  }
  const counts = new Map<string, number>();
  for (const { MessageAttributes } of report.notifications) {
    const type = MessageAttributes.event_type?.StringValue ?? '(no event_type)';
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  lines.push(
    '',
    `SNS notifications: ${report.notifications.length} (${[...counts].map(([type, n]) => `${n} ${type}`).join(', ') || 'none'})`,
    ...report.notifications
      .filter((n) => n.MessageAttributes.event_type?.StringValue !== 'received')
      .slice(0, 10)
      .map((n) => `  ${n.Subject ?? '(no subject)'}`),
    '',
    'This rehearses the code path, not Redshift itself: its planner, COPY parser, SNAPSHOT isolation and IAM are not exercised.',
  );
  return lines.join('\n');
}

export async function runRehearse(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(rehearseSpec, argv);
  const json = values.json === true;
  const orders = numberOption(values, 'orders', 2000, { min: 1 });
  const batchSize = numberOption(values, 'batch-size', 10, { min: 1 });
  const concurrency = numberOption(values, 'concurrency', 1, { min: 1 });
  const given = stringOption(values, 'lake');
  const lake = given
    ? resolve(given)
    : (
        await sampleLake(resolve(stringOption(values, 'out') ?? join('out', 'rehearse')), orders, {
          signal,
          quiet: json,
        })
      ).lake;
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true });
  const report = await rehearse({
    lake,
    postgresUrl:
      stringOption(values, 'postgres') ??
      process.env.LAKELOAD_REHEARSAL_POSTGRES ??
      DEFAULT_REHEARSAL_POSTGRES,
    schema: stringOption(values, 'schema') ?? 'lakeload_rehearsal',
    fresh: values.append !== true,
    duplicateEvents: values.duplicates === true,
    batchSize,
    concurrency,
    signal,
    onProgress: (phase, done, total) =>
      progress.update(phase === 'upload' ? 'uploading' : 'delivering events', done, total),
  });
  progress.done();
  const logFile = stringOption(values, 'logs');
  if (logFile) await writeFile(logFile, report.logs.map((line) => `${line}\n`).join(''));
  if (json) {
    const { logs, ...rest } = report;
    out(`${JSON.stringify({ ...rest, logLines: logs.length })}\n`);
  } else {
    out(`${describeRehearsal(report)}\n`);
  }
  const failed =
    report.delivery.deadLetters.length > 0 || report.ledger.some((entry) => entry.status !== 'loaded');
  return failed ? EXIT.failed : EXIT.ok;
}
