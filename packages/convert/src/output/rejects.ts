import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

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
  #error: Error | undefined;
  #count = 0;

  constructor(readonly path: string) {}

  get count(): number {
    return this.#count;
  }

  async write(entry: RejectEntry): Promise<void> {
    if (this.#error) throw this.#error;
    this.#stream ??= this.#open();
    this.#count += 1;
    if (!this.#stream.write(`${JSON.stringify(entry)}\n`)) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#stream) return;
    this.#stream.end();
    await finished(this.#stream);
  }

  /** Drops the file being written; a write still in flight then fails, which is expected. */
  destroy(): void {
    this.#stream?.destroy();
  }

  #open(): WriteStream {
    const stream = createWriteStream(this.path);
    // Without a listener, an error of a write still queued when the stream is destroyed would
    // crash the process; a real one is kept and thrown by the next write or close.
    stream.on('error', (error) => {
      this.#error ??= error;
    });
    return stream;
  }
}
