export interface DuckDBDialectConfig {
  /** Database file; `:memory:` for a throwaway warehouse. Default `.lakeload/warehouse.duckdb`. */
  path: string;
  /**
   * DuckDB's memory limit in MiB (it spills to disk beyond it). Default: DuckDB's own, 80% of RAM,
   * lowered to 96 MiB while a load of some 1.5M rows or more that meets no stored row runs alone on
   * a database file (a load that runs out of memory at that runs again at the default).
   */
  memoryLimitMb?: number;
  /** DuckDB's worker threads. Default: all cores. */
  threads?: number;
}
