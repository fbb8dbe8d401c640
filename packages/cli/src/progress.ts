// A one-line progress bar on stderr. Shown only on a terminal and never with --json, so that logs
// and machine-readable output stay clean.

export interface ProgressOptions {
  enabled: boolean;
  /** How to show amounts, e.g. bytes as MB. */
  format?: (value: number) => string;
  stream?: NodeJS.WriteStream;
}

const WIDTH = 28;
const INTERVAL_MS = 100;

export class ProgressBar {
  readonly #options: Required<ProgressOptions>;
  #label = '';
  #lastDraw = 0;
  #drawn = false;

  constructor(options: ProgressOptions) {
    this.#options = { format: String, stream: process.stderr, ...options };
  }

  update(label: string, done: number, total: number): void {
    if (!this.#options.enabled) return;
    const now = Date.now();
    if (label === this.#label && now - this.#lastDraw < INTERVAL_MS && done < total) return;
    this.#label = label;
    this.#lastDraw = now;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * WIDTH);
    const { format, stream } = this.#options;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    const line = `${label} ${bar} ${(share * 100).toFixed(0).padStart(3)}%  ${format(done)} / ${format(total)}`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\u001b[K`);
    this.#drawn = true;
  }

  /** Shows a phase without a known size, e.g. "writing Parquet". */
  status(label: string): void {
    if (!this.#options.enabled) return;
    this.#label = label;
    this.#options.stream.write(`\r${label}\u001b[K`);
    this.#drawn = true;
  }

  done(): void {
    if (this.#drawn) this.#options.stream.write('\r\u001b[K');
    this.#drawn = false;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(0)} kB`;
}
