import { describe, expect, it } from 'vitest';
import { parseWarehouseUrl } from '../../src/warehouse/url.js';

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

  it('refuses others without repeating a password', () => {
    expect(() => parseWarehouseUrl('mysql://root:hunter2@db/x')).toThrow(
      /"mysql:\/\/\*\*\*@db\/x"; use duckdb:<path> or postgres:/,
    );
    expect(() => parseWarehouseUrl('mysql://root:hunter2@db/x')).not.toThrow(/hunter2/);
    expect(() => parseWarehouseUrl('duckdb:')).toThrow(/needs a database file/);
  });
});
