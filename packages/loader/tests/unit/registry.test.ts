// The warehouse registry: a URL's scheme picks one dialect object, which parses and opens it; the
// dialects' drivers and database clients load only when a warehouse opens.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { postgresDialect } from '../../src/warehouse/postgres/postgres-dialect.js';
import { redshiftDialect } from '../../src/warehouse/redshift/redshift-dialect.js';
import { openWarehouse, parseWarehouseUrl } from '../../src/warehouse/registry.js';

const DIALECTS = { duckdb: duckdbDialect, postgres: postgresDialect, redshift: redshiftDialect };
const EXAMPLES: Record<keyof typeof DIALECTS, string> = {
  duckdb: 'duckdb:w.duckdb',
  postgres: 'postgres://u@h/db',
  redshift: 'redshift-data://workgroup/analytics/dev',
};

describe('the warehouse registry', () => {
  it.each(Object.entries(DIALECTS))('hands a %s URL to that dialect, and only to it', (name, dialect) => {
    const url = EXAMPLES[name as keyof typeof DIALECTS];
    expect(parseWarehouseUrl(url)).toEqual(dialect.parseUrl(url));
    expect(parseWarehouseUrl(url).dialect).toBe(name);
    const claimed = Object.values(DIALECTS).filter((other) =>
      other.schemes.some((scheme) => url.startsWith(scheme)),
    );
    expect(claimed).toEqual([dialect]);
  });

  it("lists every dialect's forms for a URL no dialect answers", () => {
    let message = '';
    try {
      parseWarehouseUrl('mysql://root@db/x');
    } catch (error) {
      message = (error as Error).message;
    }
    for (const dialect of Object.values(DIALECTS)) expect(message).toContain(dialect.forms);
  });

  it("opens a warehouse whose driver has the dialect's capabilities", async () => {
    const driver = await openWarehouse('duckdb::memory:');
    try {
      expect(driver.capabilities).toBe(duckdbDialect.capabilities);
    } finally {
      await driver.close();
    }
  });

  it('parses a URL of every dialect without loading a driver or a database client', () => {
    // Resolved through the package's own name, as its consumers import it: the built entry point.
    const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    expect(existsSync(entry), `${entry} is missing: build the loader first (npm run build)`).toBe(true);
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
      const { parseWarehouseUrl } = await import('@lakeload/loader');
      for (const url of ${JSON.stringify(Object.values(EXAMPLES))}) parseWarehouseUrl(url);
      process.stdout.write(JSON.stringify(seen));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const loaded = JSON.parse(result.stdout) as string[];
    expect(loaded.some((url) => url.endsWith('/dist/warehouse/registry.js'))).toBe(true);
    const heavy = loaded.filter((url) =>
      /-driver\.js$|@duckdb|\/node_modules\/(\.pnpm\/)?pg|client-redshift-data|client-s3/.test(url),
    );
    expect(heavy).toEqual([]);
  });
});
