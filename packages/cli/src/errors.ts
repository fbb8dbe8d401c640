import { TerminalError } from '@lakeload/errors';

/** Process exit codes, documented in every command's --help. */
export const EXIT = {
  ok: 0,
  /** The work could not be done (an input failed, a file could not be written). */
  failed: 1,
  /** The command line is wrong; nothing was done. */
  usage: 2,
  /** Everything converted, but records were rejected and --fail-on-rejects was given. */
  rejects: 3,
  /** Stopped by Ctrl-C or SIGTERM (128 + SIGINT). */
  interrupted: 130,
} as const;

/** The command line is wrong (exit 2); nothing was done. */
export class UsageError extends TerminalError {
  override name = 'UsageError';
  static override readonly tip: string = "See the command's --help for its arguments and options.";
}
