// The one module that knows every dialect. A URL's scheme picks the dialect: its URL module (light)
// parses the URL, and only opening a warehouse imports that dialect's module, with its driver and
// database client. No dialect imports this module.
import { LoaderError } from '../errors.js';
import { redact } from '../redact.js';
import type { Driver, WarehouseDialect, WarehouseUrl } from './dialect.js';
import { type DuckDBWarehouseTarget, duckdbUrl } from './duckdb/duckdb-url.js';
import { type PostgresWarehouseTarget, postgresUrl } from './postgres/postgres-url.js';
import { type RedshiftWarehouseTarget, redshiftUrl } from './redshift/redshift-url.js';

export type WarehouseTarget = DuckDBWarehouseTarget | PostgresWarehouseTarget | RedshiftWarehouseTarget;

/** A URL fit for messages and output: the one redaction (passwords, tokens, signatures out). */
export const redactUrl: (url: string) => string = redact;

/** The default embedded warehouse. */
export const DEFAULT_WAREHOUSE = 'duckdb:.lakeload/warehouse.duckdb';

const URLS: readonly WarehouseUrl<WarehouseTarget>[] = [duckdbUrl, postgresUrl, redshiftUrl];

// Lazy, and referenced by openWarehouse alone: a bundle that only parses URLs (the Lambda's) leaves
// every driver out.
const DIALECTS: {
  [Name in WarehouseTarget['dialect']]: () => Promise<
    WarehouseDialect<Extract<WarehouseTarget, { dialect: Name }>>
  >;
} = {
  duckdb: async () => (await import('./duckdb/duckdb-dialect.js')).duckdbDialect,
  postgres: async () => (await import('./postgres/postgres-dialect.js')).postgresDialect,
  redshift: async () => (await import('./redshift/redshift-dialect.js')).redshiftDialect,
};

/**
 * Parses a warehouse URL: `duckdb:<path>` (`duckdb::memory:` for a throwaway one),
 * `postgres://user:password@host:port/database`, or a `redshift-data://` URL (see the redshift
 * dialect). The message of a bad URL lists the forms this build understands and never repeats a
 * password.
 */
export function parseWarehouseUrl(url: string): WarehouseTarget {
  const found = URLS.find((dialect) => dialect.schemes.some((scheme) => url.startsWith(scheme)));
  if (!found)
    throw new LoaderError(
      `unsupported warehouse URL "${redactUrl(url)}"; use ${URLS.map((dialect) => dialect.forms).join(' or ')}`,
    );
  return found.parseUrl(url);
}

/** Opens the warehouse a URL names; each dialect's module and client are loaded only when it is used. */
export async function openWarehouse(url: string): Promise<Driver> {
  const target = parseWarehouseUrl(url);
  const dialect = (await DIALECTS[target.dialect]()) as WarehouseDialect<WarehouseTarget>;
  return dialect.open(target);
}
