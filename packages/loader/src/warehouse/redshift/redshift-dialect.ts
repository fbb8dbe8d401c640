import type { Driver } from '../dialect.js';
import type { RedshiftDialectConfig } from './redshift-dialect-config.js';
import { RedshiftDriver } from './redshift-driver.js';

/**
 * Opens a Redshift warehouse (Serverless workgroup or provisioned cluster) through the Data API for
 * a Loader. Nothing is sent until the first statement: the Data API has no connection to open.
 */
export async function redshiftWarehouse(config: RedshiftDialectConfig): Promise<Driver> {
  return new RedshiftDriver(config);
}
