import { LoaderError } from '../../errors.js';
import type { Driver, WarehouseDialect } from '../dialect.js';
import { redshiftCapabilities } from './redshift-adapter.js';
import type { RedshiftDialectConfig } from './redshift-dialect-config.js';
import { RedshiftDriver } from './redshift-driver.js';
import { type RedshiftWarehouseTarget, redshiftUrl } from './redshift-url.js';

/**
 * Opens a Redshift warehouse (Serverless workgroup or provisioned cluster) through the Data API for
 * a Loader. The Data API has no connection to open; unless the config names the schema, one
 * statement reads the session's, so that every table name is qualified (an unqualified name
 * resolves in pg_catalog first: https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html).
 */
export async function redshiftWarehouse(config: RedshiftDialectConfig): Promise<Driver> {
  const driver = new RedshiftDriver(config);
  let schema = config.schema;
  if (schema === undefined) {
    const [row] = await driver.query('SELECT current_schema() AS current');
    const current = row?.current;
    if (typeof current !== 'string' || current === '') {
      throw new LoaderError(
        'the Redshift session has no current schema: its search_path names no schema that exists. Create the schema, or name it with ?schema=<name> in the warehouse URL',
      );
    }
    schema = current;
  }
  driver.compiler.schema = schema;
  return driver;
}

/** Redshift (Serverless or provisioned) through the Data API, named by a `redshift-data://` URL. */
export const redshiftDialect: WarehouseDialect<RedshiftWarehouseTarget> = {
  ...redshiftUrl,
  capabilities: redshiftCapabilities,
  open: (target) => redshiftWarehouse(target.config),
};
