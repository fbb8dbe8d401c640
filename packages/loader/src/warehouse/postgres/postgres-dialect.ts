import type { Driver, WarehouseDialect } from '../dialect.js';
import { postgresCapabilities } from './postgres-adapter.js';
import type { PostgresDialectConfig } from './postgres-dialect-config.js';
import { PostgresDriver } from './postgres-driver.js';
import { type PostgresWarehouseTarget, postgresUrl } from './postgres-url.js';

/** Connects to a PostgreSQL warehouse for a Loader. */
export function postgresWarehouse(config: PostgresDialectConfig): Promise<Driver> {
  return PostgresDriver.open(config);
}

/** PostgreSQL, named by a `postgres://user:password@host:port/database` URL. */
export const postgresDialect: WarehouseDialect<PostgresWarehouseTarget> = {
  ...postgresUrl,
  capabilities: postgresCapabilities,
  open: (target) => postgresWarehouse({ connectionString: target.connectionString }),
};
