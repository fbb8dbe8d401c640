import { extname } from 'node:path';
import {
  DIRTY_KINDS,
  type GenerateOptions,
  type GenerateSummary,
  generateOrders,
  generateOrdersFile,
  OUTPUT_FORMATS,
  type OutputFormat,
} from '@lakeload/orders';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { ProgressBar } from '../progress.js';

export const generateSpec: CommandSpec = {
  name: 'generate',
  summary:
    'Generate sample e-commerce orders as JSON, JSONL or CSV. The same seed and options give byte-identical output.',
  usage: 'lakeload generate --out <file|-> [options]',
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: 'file',
      description: 'Where to write; "-" for stdout. A .gz name is gzip-compressed.',
    },
    orders: {
      type: 'string',
      short: 'n',
      valueName: 'N',
      description: 'Distinct orders to generate (default 1000).',
    },
    seed: { type: 'string', valueName: 'S', description: 'Seed for the random data (default 42).' },
    'start-date': {
      type: 'string',
      valueName: 'YYYY-MM-DD',
      description: 'First order day, UTC (default 2025-11-01).',
    },
    days: {
      type: 'string',
      valueName: 'D',
      description: 'Spread order dates over this many days (default 7).',
    },
    format: {
      type: 'string',
      valueName: OUTPUT_FORMATS.join('|'),
      description: 'Output format (default: from the --out extension, else jsonl).',
    },
    'dirty-rate': {
      type: 'string',
      valueName: 'R',
      description: 'Share of bad records to inject, 0..1 (default 0).',
    },
    'update-rate': {
      type: 'string',
      valueName: 'R',
      description: 'Share of orders that reappear later with a newer status, 0..1 (default 0.15).',
    },
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: [
    'lakeload generate --orders 5000 --days 3 --out data/orders.jsonl',
    'lakeload generate --orders 200 --format csv --dirty-rate 0.05 --out data/orders.csv',
    'lakeload generate --orders 1000000 --out data/orders.jsonl.gz --json',
  ],
};

function formatFor(out: string, explicit: string | undefined): OutputFormat {
  if (explicit !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(explicit)) {
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${explicit}"`);
    }
    return explicit as OutputFormat;
  }
  const extension = extname(out.replace(/\.gz$/i, '')).slice(1).toLowerCase();
  if (extension === 'ndjson') return 'jsonl';
  return (OUTPUT_FORMATS as readonly string[]).includes(extension) ? (extension as OutputFormat) : 'jsonl';
}

export function describeGenerate(summary: GenerateSummary, out: string): string {
  const dirty = DIRTY_KINDS.filter((kind) => (summary.dirty[kind] ?? 0) > 0)
    .map((kind) => `${kind} ${summary.dirty[kind]}`)
    .join(', ');
  return [
    `Wrote ${summary.records} records (${summary.orders} orders, ${summary.updates} updates, ${summary.lineItems} line items) as ${summary.format} to ${out}`,
    summary.dirtyRecords > 0
      ? `Injected ${summary.dirtyRecords} bad records: ${dirty}`
      : 'No bad records injected.',
  ].join('\n');
}

export async function runGenerate(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(generateSpec, argv);
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('--out is required: a file to write, or "-" for stdout');
  const options: GenerateOptions = {
    orders: numberOption(values, 'orders', 1000, { min: 1 }),
    seed: stringOption(values, 'seed') ?? '42',
    startDate: stringOption(values, 'start-date') ?? '2025-11-01',
    days: numberOption(values, 'days', 7, { min: 1 }),
    format: formatFor(out, stringOption(values, 'format')),
    dirtyRate: numberOption(values, 'dirty-rate', 0, { integer: false, min: 0, max: 1 }),
    updateRate: numberOption(values, 'update-rate', 0.15, { integer: false, min: 0, max: 1 }),
  };
  const json = values.json === true;
  const toStdout = out === '-';
  const progress = new ProgressBar({ enabled: !json && !toStdout && process.stderr.isTTY === true });
  const onProgress = (done: number, total: number) => {
    signal.throwIfAborted();
    progress.update('generating', done, total);
  };
  const summary = toStdout
    ? await generateOrders(options, process.stdout, { onProgress })
    : await generateOrdersFile(out, options, { onProgress });
  progress.done();
  // With --out -, stdout carries the data, so the summary goes to stderr.
  const report = toStdout ? process.stderr : process.stdout;
  report.write(json ? `${JSON.stringify({ out, ...summary })}\n` : `${describeGenerate(summary, out)}\n`);
  return EXIT.ok;
}
