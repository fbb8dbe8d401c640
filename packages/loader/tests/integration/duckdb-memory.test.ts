// The configured memory limit reaches DuckDB in MiB, as the configuration names it.
import { describe, expect, it } from 'vitest';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';

describe('DuckDB warehouse memory', () => {
  it('gives DuckDB the configured limit in MiB', async () => {
    const driver = await duckdbWarehouse({ path: ':memory:', memoryLimitMb: 300 });
    try {
      const [row] = await driver.query("SELECT current_setting('memory_limit') AS m");
      expect(row?.m).toBe('300.0 MiB');
    } finally {
      await driver.close();
    }
  });
});
