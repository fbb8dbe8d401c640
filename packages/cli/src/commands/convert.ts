import { type ConvertSummary, convert, DATASET_NAMES } from '@lakeload/convert';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT, UsageError } from '../errors.js';
import { out } from '../output.js';
import { formatBytes, ProgressBar } from '../progress.js';

export const convertSpec: CommandSpec = {
  name: 'convert',
  exit3: 'rejects found (with --fail-on-rejects)',
  summary:
    'Convert order files (JSON arrays, JSONL, CSV; .gz too) into partitioned Parquet datasets order_summary, order_items and order_flattened. Invalid records go to <out>/_rejects/<input>.jsonl with the reason.',
  usage: 'lakeload convert <file|folder>... --out <dir> [options]',
  positionals: true,
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: 'dir',
      description: 'Output folder (year=/month=/day=/<dataset>/ below it).',
    },
    compression: {
      type: 'string',
      valueName: 'snappy|zstd',
      description: 'Parquet compression (default snappy).',
    },
    'row-group-size': {
      type: 'string',
      valueName: 'rows',
      description: 'Rows per Parquet row group (default 122880).',
    },
    'memory-limit': {
      type: 'string',
      valueName: 'MB',
      description: 'Memory for DuckDB in MiB; beyond it data spills to disk (default 128).',
    },
    threads: {
      type: 'string',
      valueName: 'N',
      description: 'Parsing and DuckDB threads (default: all cores).',
    },
    'fail-on-rejects': {
      type: 'boolean',
      description: `Exit with ${EXIT.rejects} when any record was rejected.`,
    },
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: [
    'lakeload convert data/orders.jsonl --out lake',
    'lakeload convert exports/ --out lake --compression zstd --json',
  ],
};

function table(rows: readonly (readonly (string | number)[])[]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => String(row[column]).length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        typeof cell === 'number'
          ? String(cell).padStart(widths[column] ?? 0)
          : String(cell).padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

export function describeConvert(summary: ConvertSummary): string {
  const lines = [
    `Converted ${summary.inputs.length - summary.failedInputs} of ${summary.inputs.length} inputs into ${summary.outDir} in ${(summary.durationMs / 1000).toFixed(1)}s`,
    '',
    ...table([
      ['input', 'records', 'valid', 'rejected', 'status'],
      ...summary.inputs.map(
        (input) => [input.input, input.records, input.valid, input.rejected, input.status] as const,
      ),
    ]),
    '',
    ...table([
      ['dataset', 'files', 'rows'],
      ...DATASET_NAMES.map(
        (name) => [name, summary.datasets[name].files, summary.datasets[name].rows] as const,
      ),
    ]),
  ];
  for (const input of summary.inputs) {
    if (input.error) lines.push('', `FAILED ${input.error}`);
    if (input.rejectsFile)
      lines.push(
        '',
        `${input.rejected} rejected records of ${input.input}, with reasons: ${input.rejectsFile}`,
      );
  }
  return lines.join('\n');
}

export async function runConvert(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(convertSpec, argv);
  const outDir = stringOption(values, 'out');
  if (!outDir) throw new UsageError('--out is required: the folder to write the datasets into');
  if (positionals.length === 0) throw new UsageError('name at least one input file or folder to convert');
  const compression = stringOption(values, 'compression') ?? 'snappy';
  if (compression !== 'snappy' && compression !== 'zstd') {
    throw new UsageError(`--compression must be snappy or zstd, got "${compression}"`);
  }
  const json = values.json === true;
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true, format: formatBytes });
  const summary = await convert({
    inputs: positionals,
    outDir,
    compression,
    rowGroupSize: numberOption(values, 'row-group-size', 122_880, { min: 1024 }),
    memoryLimitMb: numberOption(values, 'memory-limit', 128, { min: 64 }),
    ...(values.threads === undefined
      ? {}
      : { threads: numberOption(values, 'threads', 1, { min: 1, max: 256 }) }),
    signal,
    onProgress: (event) => {
      if (event.phase === 'read') progress.update('reading', event.bytesDone, event.bytesTotal);
      else progress.status(event.phase === 'load' ? 'loading valid records' : `writing ${event.dataset}`);
    },
  });
  progress.done();
  out(json ? `${JSON.stringify(summary)}\n` : `${describeConvert(summary)}\n`);
  if (summary.failedInputs > 0) return EXIT.failed;
  if (values['fail-on-rejects'] === true && summary.rejected > 0) return EXIT.rejects;
  return EXIT.ok;
}
