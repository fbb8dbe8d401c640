import { TerminalError } from '@lakeload/errors';

/** Base of every error this package throws: terminal (the same input fails again). */
export class ConvertError extends TerminalError {
  override name = 'ConvertError';
  static override readonly tip: string =
    'Fix the input file or the options named in the error, then convert again.';
}

/** The command line or options are wrong; nothing was converted. */
export class ConvertOptionsError extends ConvertError {
  override name = 'ConvertOptionsError';
  static override readonly tip: string = 'Correct the option the message names (see --help).';
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
