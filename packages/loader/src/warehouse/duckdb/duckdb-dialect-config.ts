export interface DuckDBDialectConfig {
  /** Database file; `:memory:` for a throwaway warehouse. Default `.lakeload/warehouse.duckdb`. */
  path: string;
  /** DuckDB's memory limit in MiB. Default 512: the warehouse shares the machine with its users. */
  memoryLimitMb?: number;
  /** DuckDB's worker threads. Default: all cores. */
  threads?: number;
}
