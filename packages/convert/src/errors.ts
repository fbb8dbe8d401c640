/** Base of every error this package throws. `retryable` says whether trying again can help. */
export class ConvertError extends Error {
  override name = 'ConvertError';
  readonly retryable: boolean = false;
}

/** The command line or options are wrong; nothing was converted. */
export class ConvertOptionsError extends ConvertError {
  override name = 'ConvertOptionsError';
}

/** One input could not be read as a whole (unreadable, corrupt gzip, not a JSON array, …). */
export class InputError extends ConvertError {
  override name = 'InputError';
  constructor(
    readonly input: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${input}: ${message}`, options);
  }
}
