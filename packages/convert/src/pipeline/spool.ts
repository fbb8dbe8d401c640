import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * An append-only file of spool lines, written synchronously from the thread that validates. Text is
 * encoded into one reused buffer: a fresh multi-megabyte allocation per chunk would be freed into
 * the thread's malloc arena, which glibc keeps, and the process would grow by that much per thread.
 */
export class Spool {
  readonly #fd: number;
  #buffer = Buffer.allocUnsafe(1 << 20);

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (text.length === 0) return;
    // UTF-16 code units never need more than 3 UTF-8 bytes each.
    const worstCase = text.length * 3;
    if (worstCase > this.#buffer.length)
      this.#buffer = Buffer.allocUnsafe(Math.max(worstCase, this.#buffer.length * 2));
    const bytes = this.#buffer.write(text, 0, 'utf8');
    let written = 0;
    while (written < bytes) written += writeSync(this.#fd, this.#buffer, written, bytes - written);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
