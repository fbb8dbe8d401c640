import { describe, expect, it } from 'vitest';
import { parseWarehouseUrl, redactUrl } from '../../src/warehouse/url.js';

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
