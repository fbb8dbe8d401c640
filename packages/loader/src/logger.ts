// Where library code reports what is neither a result nor an error of the call (a notifier that
// failed, say). The library never writes to a stream of its own accord: the caller passes a logger
// (the Lambda its Powertools logger, which keeps the request id; the CLI one that writes stderr).

/**
 * The levels the loader uses: a message and objects of fields to log with it. AWS Powertools'
 * Logger fits this shape as it is.
 */
export interface Logger {
  info(message: string, ...fields: Record<string, unknown>[]): void;
  warn(message: string, ...fields: Record<string, unknown>[]): void;
  error(message: string, ...fields: Record<string, unknown>[]): void;
}

/** The default: a library that is given no logger stays quiet. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
