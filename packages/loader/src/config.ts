// Table settings and routing rules from a JSON file, checked with messages that name the setting.
import { readFile } from 'node:fs/promises';
import { LoaderError } from './errors.js';
import type { RoutingRule } from './routing/route.js';
import { refusedTarget } from './routing/target-guard.js';
import type { TableSettings } from './warehouse/dialect.js';

export interface LoaderConfig {
  tables: Record<string, TableSettings>;
  rules: RoutingRule[];
}

/** A configuration file that does not say what it must; permanent until the file is fixed. */
export class ConfigError extends LoaderError {
  override name = 'ConfigError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const names = (value: unknown) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');

/**
 * Checks a parsed configuration:
 * `{"tables": {"<table>": {"keys": [...], "version": "...", "contract": "evolve"|"freeze"}},
 *   "routes": [{"prefix": "...", "table": "..."}]}`.
 */
export function parseLoaderConfig(value: unknown, source: string): LoaderConfig {
  const fail = (message: string) => new ConfigError(`${source}: ${message}`);
  if (!isObject(value)) throw fail('expected a JSON object with "tables" and/or "routes"');
  const unknown = Object.keys(value).filter((key) => key !== 'tables' && key !== 'routes');
  if (unknown.length > 0)
    throw fail(
      `unknown setting ${unknown.map((key) => `"${key}"`).join(', ')}; expected "tables" and "routes"`,
    );
  const tables: Record<string, TableSettings> = {};
  if (value.tables !== undefined) {
    if (!isObject(value.tables)) throw fail('"tables" must be an object of table names to settings');
    for (const [table, settings] of Object.entries(value.tables)) {
      const at = `tables.${table}`;
      if (!isObject(settings)) throw fail(`${at} must be an object with "keys", "version" and "contract"`);
      const keys = settings.keys ?? [];
      if (!names(keys)) throw fail(`${at}.keys must be a list of column names ([] appends)`);
      if (
        settings.version !== undefined &&
        (typeof settings.version !== 'string' || settings.version === '')
      ) {
        throw fail(`${at}.version must be a column name`);
      }
      const contract = settings.contract ?? 'evolve';
      if (contract !== 'evolve' && contract !== 'freeze')
        throw fail(`${at}.contract must be "evolve" or "freeze", got ${JSON.stringify(contract)}`);
      const extra = Object.keys(settings).filter((key) => !['keys', 'version', 'contract'].includes(key));
      if (extra.length > 0)
        throw fail(`${at} has unknown setting ${extra.map((key) => `"${key}"`).join(', ')}`);
      tables[table] = {
        keys: keys as string[],
        contract,
        ...(typeof settings.version === 'string' ? { version: settings.version } : {}),
      };
    }
  }
  const rules: RoutingRule[] = [];
  if (value.routes !== undefined) {
    if (!Array.isArray(value.routes)) throw fail('"routes" must be a list of {"prefix", "table"}');
    value.routes.forEach((route: unknown, index) => {
      if (
        !isObject(route) ||
        typeof route.prefix !== 'string' ||
        typeof route.table !== 'string' ||
        route.table === ''
      ) {
        throw fail(`routes[${index}] must be {"prefix": "<key prefix>", "table": "<table>"}`);
      }
      const reserved = refusedTarget(route.table);
      if (reserved) throw fail(`routes[${index}] cannot load into "${route.table}": ${reserved}`);
      rules.push({ prefix: route.prefix, table: route.table });
    });
  }
  return { tables, rules };
}

/** Reads a configuration file; a missing optional file is an empty configuration. */
export async function readLoaderConfig(path: string, { optional = false } = {}): Promise<LoaderConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return { tables: {}, rules: [] };
    throw new ConfigError(`${path}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseLoaderConfig(value, path);
}
