// Object key → target table and partition values, or a reason to skip the object.
import { LoaderError } from '../errors.js';
import { refusedTarget } from './target-guard.js';

export interface RoutingRule {
  /** Keys starting with this prefix load into `table`. The longest matching prefix wins. */
  prefix: string;
  table: string;
}

export type Route =
  | { action: 'load'; table: string; partitions: Record<string, string> }
  | { action: 'skip'; reason: string };

/** A Parquet object no rule routes and no folder names; the message says how to route it. */
export class RoutingError extends LoaderError {
  override name = 'RoutingError';
  static override readonly tip: string =
    'Add a routing rule for the prefix or move the file under a folder named after its table.';
}

/** A route to a table the loader never writes: its own tables or a system catalog. */
export class ReservedTableError extends RoutingError {
  override name = 'ReservedTableError';
  static override readonly tip: string =
    'Rename the folder (or route its prefix to another table in the config); the object is kept as a dead letter until then.';
}

/** The table, when no reserved name; else a ReservedTableError naming the key and the rule. */
function allowed(table: string, key: string, via: string): string {
  const reason = refusedTarget(table);
  if (reason === undefined) return table;
  throw new ReservedTableError(`refused to load "${key}" into table "${table}" (${via}): ${reason}`);
}

const WORK_IN_PROGRESS = new Set(['_temporary', '_rejects']);

function skipReason(segments: readonly string[], size: number): string | undefined {
  const folders = segments.slice(0, -1);
  const file = segments.at(-1) ?? '';
  const pending = folders.find((folder) => WORK_IN_PROGRESS.has(folder));
  if (pending) return `in ${pending}/, which holds work in progress or rejected records, not data`;
  const hidden = segments.find((segment) => segment.startsWith('.'));
  if (hidden) return `hidden (${hidden})`;
  if (file.startsWith('_')) return `marker file ${file}`;
  if (!file.toLowerCase().endsWith('.parquet')) return 'not a .parquet file';
  if (size === 0) return 'zero-byte object';
  return undefined;
}

/**
 * Routes one object. By default the folder holding the file names the table
 * (`…/year=2025/…/order_items/order_items_20251113_001.parquet` → `order_items`); rules map key
 * prefixes to tables instead. `k=v` folders become partition values. Skips are not errors. A
 * table that is the loader's own or a system catalog is refused (ReservedTableError). `recorded`:
 * the table a dead letter's first load routed to, which its replay keeps. The one routing of load,
 * watch, replay, backfill, reconcile and the dashboard.
 */
export function route(
  key: string,
  size: number,
  rules: readonly RoutingRule[] = [],
  recorded?: string,
): Route {
  const segments = key.split('/').filter((segment) => segment !== '');
  const reason = skipReason(segments, size);
  if (reason) return { action: 'skip', reason };
  const partitions: Record<string, string> = {};
  for (const segment of segments.slice(0, -1)) {
    const split = segment.indexOf('=');
    if (split > 0) partitions[segment.slice(0, split)] = segment.slice(split + 1);
  }
  // A replay keeps the table its first load routed to, whatever the rules say now.
  if (recorded !== undefined)
    return { action: 'load', table: allowed(recorded, key, 'as its first load routed it'), partitions };
  const rule = rules
    .filter((candidate) => key.startsWith(candidate.prefix))
    .reduce<RoutingRule | undefined>(
      (best, candidate) => (best && best.prefix.length >= candidate.prefix.length ? best : candidate),
      undefined,
    );
  if (rule)
    return { action: 'load', table: allowed(rule.table, key, `routing rule "${rule.prefix}"`), partitions };
  const folder = segments.slice(0, -1).findLast((segment) => !segment.includes('='));
  if (!folder) {
    throw new RoutingError(
      `no folder names a table for "${key}": put the file under a folder named after its table (…/order_items/file.parquet) or add a routing rule for its prefix`,
    );
  }
  return { action: 'load', table: allowed(folder, key, 'named by its folder'), partitions };
}
