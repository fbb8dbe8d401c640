import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import type { Driver } from './dialect.js';

export type WarehouseTarget =
  | { dialect: 'duckdb'; path: string }
  | { dialect: 'postgres'; connectionString: string };

/** A URL fit for messages and output: its password, if any, replaced by `***`. */
export function redactUrl(url: string): string {
  const at = url.lastIndexOf('@');
  const scheme = url.indexOf('//');
  if (scheme === -1 || at < scheme) return url;
  const userinfo = url.slice(scheme + 2, at);
  const colon = userinfo.indexOf(':');
  return colon === -1 ? url : `${url.slice(0, scheme + 2)}${userinfo.slice(0, colon)}:***${url.slice(at)}`;
}

/** The default embedded warehouse. */
export const DEFAULT_WAREHOUSE = 'duckdb:.lakeload/warehouse.duckdb';

/**
 * Parses a warehouse URL: `duckdb:<path>` (`duckdb::memory:` for a throwaway one) or
 * `postgres://user:password@host:port/database`. The message of a bad URL lists the forms this
 * build understands and never repeats a password.
 */
export function parseWarehouseUrl(url: string): WarehouseTarget {
  if (url.startsWith('duckdb:')) {
    const path = url.slice('duckdb:'.length);
    if (path === '')
      throw new LoaderError('duckdb: needs a database file, e.g. duckdb:.lakeload/warehouse.duckdb');
    return { dialect: 'duckdb', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: url };
  }
  throw new LoaderError(
    `unsupported warehouse URL "${redactUrl(url)}"; use duckdb:<path> or postgres://user@host:port/database`,
  );
}

/** Opens the warehouse a URL names; each dialect's client is loaded only when it is used. */
export async function openWarehouse(url: string): Promise<Driver> {
  const target = parseWarehouseUrl(url);
  if (target.dialect === 'postgres') {
    const { postgresWarehouse } = await import('./postgres/postgres-dialect.js');
    return postgresWarehouse({ connectionString: target.connectionString });
  }
  if (target.path !== ':memory:') await mkdir(dirname(resolve(target.path)), { recursive: true });
  const { duckdbWarehouse } = await import('./duckdb/duckdb-dialect.js');
  return duckdbWarehouse({ path: target.path });
}
