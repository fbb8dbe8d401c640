// One error model for every package (as dlt's): an error is transient (the same work may succeed
// when tried again: back off and retry) or terminal (it fails again until something is fixed:
// dead-letter it), decided where it is raised, and it says what to do next in `tip`. A subclass
// declares its cause's tip once, as `static tip`; the place that raises it may give a more precise
// one. Callers read `retryable` and `tip`, never the class name.

export interface LakeloadErrorOptions extends ErrorOptions {
  /** Whether the same work may succeed when tried again; the class decides where not given. */
  retryable?: boolean;
  /** What to do next, where the raising code knows better than the class's own tip. */
  tip?: string;
}

/** Base of every error a lakeload package throws on purpose. */
export class LakeloadError extends Error {
  override name = 'LakeloadError';
  /** The tip of errors of this class, unless the raising code gives its own. */
  static readonly tip: string = 'Read the error, fix its cause, then try again.';
  /** Whether an error of this class is retryable unless the raising code says otherwise. */
  static readonly retryable: boolean = false;

  readonly retryable: boolean;
  readonly tip: string;

  constructor(message: string, options: LakeloadErrorOptions = {}) {
    const { retryable, tip, ...rest } = options;
    super(message, rest);
    const kind = new.target as typeof LakeloadError;
    this.retryable = retryable ?? kind.retryable;
    this.tip = tip ?? kind.tip;
  }
}

/** Fails again until something is fixed (a corrupt file, a wrong option): never retried. */
export class TerminalError extends LakeloadError {
  override name = 'TerminalError';
}

/** May succeed when tried again (a dropped connection, throttling): retried with backoff. */
export class TransientError extends LakeloadError {
  override name = 'TransientError';
  static override readonly retryable: boolean = true;
  static override readonly tip: string =
    'A passing failure (network, throttling, a busy warehouse): it is retried; if it persists, check the service named in the error.';
}
