import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWarehouse, parseWarehouseUrl, redactUrl } from '../../src/warehouse/registry.js';

describe('parseWarehouseUrl', () => {
  it('reads DuckDB files and PostgreSQL URLs', () => {
    expect(parseWarehouseUrl('duckdb:.lakeload/w.duckdb')).toEqual({
      dialect: 'duckdb',
      path: '.lakeload/w.duckdb',
    });
    expect(parseWarehouseUrl('postgres://u:p@h:5432/db')).toEqual({
      dialect: 'postgres',
      connectionString: 'postgres://u:p@h:5432/db',
    });
    expect(parseWarehouseUrl('postgresql://h/db').dialect).toBe('postgres');
  });

  it('redacts passwords, whatever characters they hold', () => {
    expect(redactUrl('postgres://loader:S3cret@db:5432/x')).toBe('postgres://loader:***@db:5432/x');
    expect(redactUrl('mysql://u:p@ss@h/db')).toBe('mysql://u:***@h/db');
    expect(redactUrl('mysql://u:pa/ss@h/db')).toBe('mysql://u:***@h/db');
    expect(redactUrl('postgres://loader@db/x')).toBe('postgres://loader@db/x');
    expect(redactUrl('duckdb:.lakeload/w.duckdb')).toBe('duckdb:.lakeload/w.duckdb');
  });

  it('refuses others without repeating a password', () => {
    expect(() => parseWarehouseUrl('mysql://root:hunter2@db/x')).toThrow(
      /"mysql:\/\/root:\*\*\*@db\/x"; use duckdb:<path> or postgres:/,
    );
    expect(() => parseWarehouseUrl('mysql://root:hunter2@db/x')).not.toThrow(/hunter2/);
    expect(() => parseWarehouseUrl('duckdb:')).toThrow(/needs a database file/);
  });
});

describe('duckdb: URLs that name no database', () => {
  it('refuses a data file by its name', () => {
    for (const path of ['lake/orders/f.parquet', 'x.PARQUET', 'rows.csv'])
      expect(() => parseWarehouseUrl(`duckdb:${path}`)).toThrow(/data file, not a database/);
  });

  it('refuses an existing file that is not a DuckDB database, and opens nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakeload-url-'));
    try {
      const notes = join(dir, 'notes.db');
      await writeFile(notes, 'PAR1 not a database at all');
      await expect(openWarehouse(`duckdb:${notes}`)).rejects.toThrow(/not a DuckDB database/);
      const driver = await openWarehouse(`duckdb:${join(dir, 'new.duckdb')}`);
      await driver.close();
      const again = await openWarehouse(`duckdb:${join(dir, 'new.duckdb')}`);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
