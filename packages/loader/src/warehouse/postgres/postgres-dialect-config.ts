export interface PostgresDialectConfig {
  /** `postgres://user:password@host:port/database`; the password never appears in messages. */
  connectionString: string;
  /** Connections in the pool. Default 4: one load holds one for its whole transaction. */
  maxConnections?: number;
}
