import { closeSync, openSync, writeSync } from 'node:fs';

/** An append-only file of spool lines, written synchronously from the thread that validates. */
export class Spool {
  readonly #fd: number;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (text.length > 0) writeSync(this.#fd, text);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
