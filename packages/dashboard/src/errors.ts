import { LoaderError } from '@lakeload/loader';

/** A dashboard failure: bad options, missing page assets, a request it refuses. Never retryable. */
export class DashboardError extends LoaderError {
  override name = 'DashboardError';
}
