import type { Readable } from 'node:stream';
import { lineBatches } from './open.js';
import type { RecordBatches, SourceRecord } from './records.js';

export function parseProblem(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `record: not valid JSON (${detail}); the line may be truncated or hold a stray character`;
}

/**
 * Records of consecutive JSONL lines, parsed one at a time as they are consumed, so that a chunk's
 * records never all live at once; blank lines are counted as lines but are not records.
 */
export function* jsonlRecords(
  lines: readonly string[],
  firstLine: number,
  recordsBefore: number,
): Generator<SourceRecord> {
  let record = recordsBefore;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === '') continue;
    record += 1;
    const line = firstLine + i;
    let value: unknown;
    let problems: string[] = [];
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems = [parseProblem(error)];
    }
    yield { record, firstLine: line, lastLine: line, raw, value, problems };
  }
}

/** One record per non-blank line. */
export async function* readJsonl(stream: Readable): RecordBatches {
  let records = 0;
  for await (const { firstLine, lines } of lineBatches(stream)) {
    const batch = [...jsonlRecords(lines, firstLine, records)];
    records += batch.length;
    yield batch;
  }
}
