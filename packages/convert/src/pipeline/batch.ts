// Validation splits each batch of records into rejects and valid records. Valid records are spooled
// as JSON lines for DuckDB to load, each wrapped with where it came from:
//   {"c":<chunk>,"r":<record>,"f":<first line>,"l":<last line>,"o":<the order as JSON>}
import type { SourceRecord } from '../inputs/records.js';
import { validateOrder } from '../validate/order.js';

export interface RejectedRecord {
  record: number;
  firstLine: number;
  lastLine: number;
  problems: string[];
  raw: string;
}

export interface ValidatedBatch {
  /** Spool lines of the valid records, newline-terminated. */
  spool: string;
  valid: number;
  rejects: RejectedRecord[];
}

/**
 * Validates records. `rawIsJsonLine` says the raw text is the record's own single-line JSON (JSONL),
 * which is then spooled as it stands instead of being serialized again.
 */
export function validateBatch(
  records: readonly SourceRecord[],
  chunkId: number,
  rawIsJsonLine: boolean,
): ValidatedBatch {
  const spool: string[] = [];
  const rejects: RejectedRecord[] = [];
  for (const source of records) {
    const validation = validateOrder(source.value, source.problems);
    if (validation.ok) {
      const json = rawIsJsonLine ? source.raw : JSON.stringify(source.value);
      spool.push(
        `{"c":${chunkId},"r":${source.record},"f":${source.firstLine},"l":${source.lastLine},"o":${json}}\n`,
      );
    } else {
      const { record, firstLine, lastLine, raw } = source;
      rejects.push({ record, firstLine, lastLine, problems: validation.problems, raw });
    }
  }
  return { spool: spool.join(''), valid: spool.length, rejects };
}
