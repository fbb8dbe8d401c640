// PostgreSQL driver settings that shape every load: each connection's memory for staging tables.
import { expect, it } from 'vitest';
import { postgresWarehouse } from '../../src/warehouse/postgres/postgres-dialect.js';
import { createTestSchema } from '../postgres-schema.js';

it('gives each connection temp_buffers for staging, 128 MB unless configured', async () => {
  const schema = await createTestSchema('lakeload_pgdrv');
  const drivers = [
    await postgresWarehouse({ connectionString: schema.url }),
    await postgresWarehouse({ connectionString: schema.url, tempBuffersMb: 32 }),
  ];
  try {
    expect(await drivers[0]?.query('SHOW temp_buffers')).toEqual([{ temp_buffers: '128MB' }]);
    expect(await drivers[1]?.query('SHOW temp_buffers')).toEqual([{ temp_buffers: '32MB' }]);
  } finally {
    await Promise.all(drivers.map((driver) => driver?.close()));
    await schema.drop();
  }
});
