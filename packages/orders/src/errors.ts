import { TerminalError } from '@lakeload/errors';

/** Base of every error this package throws: terminal (the same options fail again). */
export class OrdersError extends TerminalError {
  override name = 'OrdersError';
  static override readonly tip: string = 'Correct the generator input or options the message names.';
}

/** An option is out of range or malformed; the message names it and the accepted values. */
export class GenerateOptionsError extends OrdersError {
  override name = 'GenerateOptionsError';
  static override readonly tip: string = 'Correct the option the message names (see --help).';
}
