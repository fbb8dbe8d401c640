// The sample lake both `demo` and `rehearse` start from: two exports as shops produce them (JSONL
// from a web shop, CSV from a marketplace, a few bad records in each) converted into Parquet.
import { join } from 'node:path';
import { type ConvertSummary, convert } from '@lakeload/convert';
import { type GenerateSummary, generateOrdersFile } from '@lakeload/orders';
import { formatBytes, ProgressBar } from './progress.js';

export interface SampleLake {
  generated: (GenerateSummary & { file: string })[];
  converted: ConvertSummary;
  lake: string;
}

/**
 * Writes the two exports under `<root>/incoming/` and converts them into `<root>/lake/`; progress
 * bars on a terminal unless `quiet`, and each export's summary handed to `onGenerated` as it ends.
 */
export async function sampleLake(
  root: string,
  orders: number,
  options: {
    signal: AbortSignal;
    quiet: boolean;
    onGenerated?: (summary: GenerateSummary, file: string) => void;
  },
): Promise<SampleLake> {
  const { signal, quiet } = options;
  const exports = [
    { file: join(root, 'incoming', 'web-orders.jsonl'), seed: 'web', format: 'jsonl', firstOrderId: 100_001 },
    {
      file: join(root, 'incoming', 'marketplace-orders.csv'),
      seed: 'marketplace',
      format: 'csv',
      firstOrderId: 900_001,
    },
  ] as const;
  const generated: SampleLake['generated'] = [];
  for (const { file, seed, format, firstOrderId } of exports) {
    const progress = new ProgressBar({ enabled: !quiet && process.stderr.isTTY === true });
    const summary = await generateOrdersFile(
      file,
      { orders, seed, format, firstOrderId, startDate: '2025-11-10', days: 3, dirtyRate: 0.02 },
      {
        onProgress: (done, total) => {
          signal.throwIfAborted();
          progress.update(`generating ${format}`, done, total);
        },
      },
    );
    progress.done();
    options.onGenerated?.(summary, file);
    generated.push({ file, ...summary });
  }
  const converting = new ProgressBar({
    enabled: !quiet && process.stderr.isTTY === true,
    format: formatBytes,
  });
  const lake = join(root, 'lake');
  const converted = await convert({
    inputs: exports.map((entry) => entry.file),
    outDir: lake,
    signal,
    onProgress: (event) => {
      if (event.phase === 'read') converting.update('converting', event.bytesDone, event.bytesTotal);
      else converting.status(event.phase === 'load' ? 'loading valid records' : `writing ${event.dataset}`);
    },
  });
  converting.done();
  return { generated, converted, lake };
}
