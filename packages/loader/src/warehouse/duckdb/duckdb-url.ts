import { LoaderError } from '../../errors.js';
import type { WarehouseUrl } from '../dialect.js';

/** A `duckdb:` URL's target: the database file. */
export type DuckDBWarehouseTarget = { dialect: 'duckdb'; path: string };

// Files a lake holds, which a `duckdb:` URL names by mistake (DuckDB would not keep tables in them).
const DATA_FILE = /\.(parquet|csv|tsv|json|jsonl|ndjson|txt|gz|zst)$/i;

/** `duckdb:<path>`, `duckdb::memory:` for a throwaway warehouse. */
function parseDuckDBUrl(url: string): DuckDBWarehouseTarget {
  const path = url.slice('duckdb:'.length);
  if (path === '')
    throw new LoaderError('duckdb: needs a database file, e.g. duckdb:.lakeload/warehouse.duckdb');
  const data = DATA_FILE.exec(path);
  if (data)
    throw new LoaderError(
      `duckdb:${path} names a ${data[0]} data file, not a database: the warehouse is a DuckDB database file, e.g. duckdb:.lakeload/warehouse.duckdb`,
    );
  return { dialect: 'duckdb', path };
}

export const duckdbUrl: WarehouseUrl<DuckDBWarehouseTarget> = {
  schemes: ['duckdb:'],
  forms: 'duckdb:<path>',
  parseUrl: parseDuckDBUrl,
};
