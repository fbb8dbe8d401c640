/** One record as read from an input, before validation. */
export interface SourceRecord {
  /** 1-based: the line in JSONL, the element in a JSON array, the order's row group in CSV. */
  record: number;
  firstLine: number;
  lastLine: number;
  /** The record's text exactly as it stands in the input. */
  raw: string;
  /** The parsed value; undefined when the text could not be parsed. */
  value: unknown;
  /** What the reader already found wrong (unparseable JSON, a short CSV row, …). */
  problems: string[];
}

export type InputFormat = 'json' | 'jsonl' | 'csv';

export interface InputFile {
  path: string;
  /** The input's identity: output and rejects file names derive from it. */
  absolute: string;
  name: string;
  format: InputFormat;
  gzip: boolean;
  bytes: number;
}

/** Records arrive in batches so that a gigabyte input costs few async steps. */
export type RecordBatches = AsyncIterable<SourceRecord[]>;
