import type { WarehouseUrl } from '../dialect.js';

/** A `postgres://` URL's target: the URL itself, handed to the client as its connection string. */
export type PostgresWarehouseTarget = { dialect: 'postgres'; connectionString: string };

export const postgresUrl: WarehouseUrl<PostgresWarehouseTarget> = {
  schemes: ['postgres://', 'postgresql://'],
  forms: 'postgres://user@host:port/database',
  parseUrl: (url) => ({ dialect: 'postgres', connectionString: url }),
};
