export interface DuckDBDialectConfig {
  /** Database file; `:memory:` for a throwaway warehouse. Default `.lakeload/warehouse.duckdb`. */
  path: string;
  /** DuckDB's memory limit in MiB (it spills to disk beyond it). Default `DEFAULT_MEMORY_LIMIT_MB`. */
  memoryLimitMb?: number;
  /** DuckDB's worker threads. Default: all cores. */
  threads?: number;
}

/**
 * The warehouse shares the machine with its users, and a load streams: without a limit DuckDB
 * takes 80% of RAM and a 3M-row load peaked at 540 MB; at 128 MiB it peaks near 330 MB (the rest is
 * the process and DuckDB's own buffers outside its limit), measured with `npm run bench`.
 */
export const DEFAULT_MEMORY_LIMIT_MB = 128;
