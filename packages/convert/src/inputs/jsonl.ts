import type { Readable } from 'node:stream';
import { lineBatches } from './open.js';
import type { RecordBatches, SourceRecord } from './records.js';

export function parseProblem(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `record: not valid JSON (${detail}); the line may be truncated or hold a stray character`;
}

/** Records of consecutive JSONL lines; blank lines are counted as lines but are not records. */
export function jsonlRecords(
  lines: readonly string[],
  firstLine: number,
  recordsBefore: number,
): SourceRecord[] {
  const records: SourceRecord[] = [];
  let record = recordsBefore;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === '') continue;
    record += 1;
    const line = firstLine + i;
    try {
      records.push({ record, firstLine: line, lastLine: line, raw, value: JSON.parse(raw), problems: [] });
    } catch (error) {
      records.push({
        record,
        firstLine: line,
        lastLine: line,
        raw,
        value: undefined,
        problems: [parseProblem(error)],
      });
    }
  }
  return records;
}

/** One record per non-blank line. */
export async function* readJsonl(stream: Readable): RecordBatches {
  let records = 0;
  for await (const { firstLine, lines } of lineBatches(stream)) {
    const batch = jsonlRecords(lines, firstLine, records);
    records += batch.length;
    yield batch;
  }
}
