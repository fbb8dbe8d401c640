import type { Driver } from '../dialect.js';
import type { PostgresDialectConfig } from './postgres-dialect-config.js';
import { PostgresDriver } from './postgres-driver.js';

/** Connects to a PostgreSQL warehouse for a Loader. */
export function postgresWarehouse(config: PostgresDialectConfig): Promise<Driver> {
  return PostgresDriver.open(config);
}
