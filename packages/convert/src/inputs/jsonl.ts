import { lineBatches } from './open.js';
import type { RecordBatches, SourceRecord } from './records.js';
import type { Readable } from 'node:stream';

export function parseProblem(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `record: not valid JSON (${detail}); the line may be truncated or hold a stray character`;
}

/** One record per non-blank line. */
export async function* readJsonl(stream: Readable): RecordBatches {
  let record = 0;
  for await (const { firstLine, lines } of lineBatches(stream)) {
    const records: SourceRecord[] = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i] as string;
      if (raw.trim() === '') continue;
      record += 1;
      const line = firstLine + i;
      try {
        records.push({ record, firstLine: line, lastLine: line, raw, value: JSON.parse(raw), problems: [] });
      } catch (error) {
        records.push({ record, firstLine: line, lastLine: line, raw, value: undefined, problems: [parseProblem(error)] });
      }
    }
    yield records;
  }
}
