import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

/** One rejected record as written to `_rejects/<input>.jsonl`. */
export interface RejectEntry {
  input: string;
  record: number;
  line: number;
  lastLine: number;
  /** All problems joined, for a human reading the file. */
  reason: string;
  problems: string[];
  raw: string;
}

/** Appends rejects as JSON lines; the file is created on the first reject only. */
export class RejectsWriter {
  #stream: WriteStream | undefined;
  #count = 0;

  constructor(readonly path: string) {}

  get count(): number {
    return this.#count;
  }

  async write(entry: RejectEntry): Promise<void> {
    this.#stream ??= createWriteStream(this.path);
    this.#count += 1;
    if (!this.#stream.write(`${JSON.stringify(entry)}\n`)) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#stream) return;
    this.#stream.end();
    await once(this.#stream, 'finish');
  }

  destroy(): void {
    this.#stream?.destroy();
  }
}
