import type { Driver } from '../dialect.js';
import type { DuckDBDialectConfig } from './duckdb-dialect-config.js';
import { DuckDBDriver } from './duckdb-driver.js';

/** Opens a DuckDB warehouse (creating the file if needed) for a Loader. */
export function duckdbWarehouse(config: DuckDBDialectConfig): Promise<Driver> {
  return DuckDBDriver.open(config);
}
