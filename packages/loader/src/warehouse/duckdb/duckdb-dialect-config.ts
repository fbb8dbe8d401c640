export interface DuckDBDialectConfig {
  /** Database file; `:memory:` for a throwaway warehouse. Default `.lakeload/warehouse.duckdb`. */
  path: string;
  /**
   * DuckDB's memory limit in MiB (it spills to disk beyond it). Default: DuckDB's own, 80% of RAM.
   * No lower default (measured on the bench's 3M-row file): at 128 MiB an upsert of it into a
   * populated table fails with "Out of Memory", and at 256 MiB its peak RSS is still 470 MB.
   */
  memoryLimitMb?: number;
  /** DuckDB's worker threads. Default: all cores. */
  threads?: number;
}
