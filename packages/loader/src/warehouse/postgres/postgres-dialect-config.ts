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
}
