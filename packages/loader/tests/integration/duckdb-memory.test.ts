// A DuckDB warehouse works within a memory limit (spilling beyond it) unless told otherwise:
// without one DuckDB takes 80% of the machine's RAM.
import { describe, expect, it } from 'vitest';
import { duckdbWarehouse } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { DEFAULT_MEMORY_LIMIT_MB } from '../../src/warehouse/duckdb/duckdb-dialect-config.js';

async function memoryLimit(memoryLimitMb?: number): Promise<unknown> {
  const driver = await duckdbWarehouse({ path: ':memory:', ...(memoryLimitMb ? { memoryLimitMb } : {}) });
  try {
    const [row] = await driver.query("SELECT current_setting('memory_limit') AS m");
    return row?.m;
  } finally {
    await driver.close();
  }
}

describe('DuckDB warehouse memory', () => {
  it('caps DuckDB at the default limit', async () => {
    expect(await memoryLimit()).toBe(`${DEFAULT_MEMORY_LIMIT_MB}.0 MiB`);
  });

  it('takes another limit from the configuration', async () => {
    expect(await memoryLimit(300)).toBe('300.0 MiB');
  });
});
