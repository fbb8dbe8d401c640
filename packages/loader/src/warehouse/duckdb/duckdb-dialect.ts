import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LoaderError } from '../../errors.js';
import type { Driver, WarehouseDialect } from '../dialect.js';
import { duckdbCapabilities } from './duckdb-adapter.js';
import type { DuckDBDialectConfig } from './duckdb-dialect-config.js';
import { DuckDBDriver } from './duckdb-driver.js';
import { type DuckDBWarehouseTarget, duckdbUrl } from './duckdb-url.js';

/**
 * An existing file must be a DuckDB database (its header holds `DUCK` at byte 8): any other file
 * would be refused by DuckDB in a way that hides the cause, or worse, loaded into nothing.
 */
async function checkDuckDBFile(path: string): Promise<void> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return;
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(12), 0, 12, 0);
    if (bytesRead === 0) return;
    if (bytesRead < 12 || buffer.subarray(8, 12).toString('latin1') !== 'DUCK')
      throw new LoaderError(
        `duckdb:${path} is an existing file that is not a DuckDB database: name a new file or a DuckDB database, e.g. duckdb:.lakeload/warehouse.duckdb`,
      );
  } finally {
    await file.close();
  }
}

/** Opens a DuckDB warehouse (creating the file if needed) for a Loader. */
export function duckdbWarehouse(config: DuckDBDialectConfig): Promise<Driver> {
  return DuckDBDriver.open(config);
}

/** The embedded warehouse: a DuckDB database file named by a `duckdb:` URL. */
export const duckdbDialect: WarehouseDialect<DuckDBWarehouseTarget> = {
  ...duckdbUrl,
  capabilities: duckdbCapabilities,
  async open(target) {
    if (target.path !== ':memory:') {
      await mkdir(dirname(resolve(target.path)), { recursive: true });
      await checkDuckDBFile(target.path);
    }
    return duckdbWarehouse({ path: target.path });
  },
};
