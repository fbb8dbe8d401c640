export interface PostgresDialectConfig {
  /** `postgres://user:password@host:port/database`; the password never appears in messages. */
  connectionString: string;
  /** Connections in the pool. Default 4: one load holds one for its whole transaction. */
  maxConnections?: number;
  /**
   * Memory for each session's temporary tables, in MiB (PostgreSQL's `temp_buffers`, set before a
   * connection's first load). Default 128: a batch's staging table is scanned several times, and past the
   * server's 8 MiB default every scan goes back to the operating system. Taken only as staging
   * grows, on the server.
   */
  tempBuffersMb?: number;
  /**
   * Memory for each sort or hash of a load's joins, in MiB (PostgreSQL's `work_mem`, set for the
   * load's transaction only). Default 128: at the server's 4 MiB default the join of a large
   * staging table with the stored rows spills to disk in batches (the bench's 3M-row upsert, its
   * older rows dropped 3.9 → 3.1–3.4 s and the replaced ones deleted 1.3 → 1.2 s). A hash may take
   * `hash_mem_multiplier` times this, on the server.
   */
  workMemMb?: number;
}
