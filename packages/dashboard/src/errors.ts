import { TerminalError } from '@lakeload/loader';

/** A dashboard failure: bad options, missing page assets, a request it refuses. Never retryable. */
export class DashboardError extends TerminalError {
  override name = 'DashboardError';
  static override readonly tip: string = 'Correct the dashboard option or the request the message names.';
}
