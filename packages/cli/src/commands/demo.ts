import { join, resolve } from 'node:path';
import { convert } from '@lakeload/convert';
import { generateOrdersFile } from '@lakeload/orders';
import { type CommandSpec, numberOption, parse, stringOption } from '../args.js';
import { EXIT } from '../errors.js';
import { formatBytes, ProgressBar } from '../progress.js';
import { describeConvert } from './convert.js';
import { describeGenerate } from './generate.js';

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary:
    'Run the local pipeline end to end: generate a day-partitioned sample of orders as a JSONL export and a CSV export (with some bad records), then convert both into Parquet datasets.',
  usage: 'lakeload demo [options]',
  options: {
    out: {
      type: 'string',
      short: 'o',
      valueName: 'dir',
      description: 'Working folder (default out/demo); incoming/ and lake/ below it.',
    },
    orders: { type: 'string', short: 'n', valueName: 'N', description: 'Orders per export (default 5000).' },
    json: { type: 'boolean', description: 'Print a machine-readable summary instead of text.' },
  },
  examples: ['lakeload demo', 'lakeload demo --out /tmp/lakeload-demo --orders 20000 --json'],
};

export async function runDemo(argv: readonly string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(demoSpec, argv);
  const root = resolve(stringOption(values, 'out') ?? join('out', 'demo'));
  const orders = numberOption(values, 'orders', 5000, { min: 1 });
  const json = values.json === true;
  const say = (text: string) => {
    if (!json) process.stdout.write(`${text}\n`);
  };
  const progress = new ProgressBar({ enabled: !json && process.stderr.isTTY === true });
  const exports = [
    { file: join(root, 'incoming', 'web-orders.jsonl'), seed: 'web', format: 'jsonl' as const },
    { file: join(root, 'incoming', 'marketplace-orders.csv'), seed: 'marketplace', format: 'csv' as const },
  ];
  const generated = [];
  for (const { file, seed, format } of exports) {
    const summary = await generateOrdersFile(
      file,
      { orders, seed, format, startDate: '2025-11-10', days: 3, dirtyRate: 0.02 },
      {
        onProgress: (done, total) => {
          signal.throwIfAborted();
          progress.update(`generating ${format}`, done, total);
        },
      },
    );
    progress.done();
    say(describeGenerate(summary, file));
    generated.push({ file, ...summary });
  }
  const converting = new ProgressBar({
    enabled: !json && process.stderr.isTTY === true,
    format: formatBytes,
  });
  const converted = await convert({
    inputs: exports.map((entry) => entry.file),
    outDir: join(root, 'lake'),
    signal,
    onProgress: (event) => {
      if (event.phase === 'read') converting.update('converting', event.bytesDone, event.bytesTotal);
      else converting.status(event.phase === 'load' ? 'loading valid records' : `writing ${event.dataset}`);
    },
  });
  converting.done();
  if (json) process.stdout.write(`${JSON.stringify({ generated, converted })}\n`);
  else say(`\n${describeConvert(converted)}`);
  return converted.failedInputs > 0 ? EXIT.failed : EXIT.ok;
}
