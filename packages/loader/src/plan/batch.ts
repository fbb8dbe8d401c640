// The plan stage for many objects: which files load together, and in what order. Pure.
import type { ObjectRef } from '../events/types.js';
import type { Column } from '../schema/parquet.js';

/** An object ready to load: routed to its table, its columns read from the footer. */
export interface Batchable {
  ref: ObjectRef;
  table: string;
  columns: readonly Column[];
}

/**
 * Orders S3 sequencers of one key: hex strings of differing length, compared after right-padding
 * the shorter with zeros (S3's own rule).
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(width, '0');
  const right = b.toUpperCase().padEnd(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

function eventMs(ref: ObjectRef): number {
  const ms = Date.parse(ref.eventTime);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Objects oldest first: by event time, and among the events of one key by sequencer where every
 * event of that key has one (a sequencer orders events of the same key only). Ties keep the input
 * order.
 */
export function oldestFirst<T extends { ref: ObjectRef }>(items: readonly T[]): T[] {
  const sorted = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => eventMs(a.item.ref) - eventMs(b.item.ref) || a.index - b.index)
    .map(({ item }) => item);
  const positions = new Map<string, number[]>();
  for (const [position, item] of sorted.entries()) {
    const key = `${item.ref.bucket}\u0000${item.ref.key}`;
    const slots = positions.get(key);
    if (slots) slots.push(position);
    else positions.set(key, [position]);
  }
  for (const slots of positions.values()) {
    const same = slots.map((slot) => sorted[slot] as T);
    if (same.length < 2 || same.some((item) => item.ref.sequencer === undefined)) continue;
    const bySequencer = [...same].sort((a, b) =>
      compareSequencers(a.ref.sequencer as string, b.ref.sequencer as string),
    );
    for (const [index, slot] of slots.entries()) sorted[slot] = bySequencer[index] as T;
  }
  return sorted;
}

/** Columns as one comparable string: files stage together only when these are equal. */
function signature(columns: readonly Column[]): string {
  return JSON.stringify(columns.map((column) => [column.name, column.type, column.nullable]));
}

/**
 * Batches to load, each of one table and identical columns, at most `maxFiles` files, oldest
 * first. A table's files keep their order across batches: a file with other columns ends the run,
 * so that no newer file is loaded before an older one of the same table.
 */
export function planBatches<T extends Batchable>(items: readonly T[], maxFiles: number): T[][] {
  const limit = Math.max(1, Math.trunc(maxFiles));
  const byTable = new Map<string, T[]>();
  for (const item of oldestFirst(items)) {
    const files = byTable.get(item.table);
    if (files) files.push(item);
    else byTable.set(item.table, [item]);
  }
  const batches: T[][] = [];
  for (const files of byTable.values()) {
    let current: T[] = [];
    let currentSignature = '';
    for (const file of files) {
      const fileSignature = signature(file.columns);
      if (current.length === limit || (current.length > 0 && fileSignature !== currentSignature)) {
        batches.push(current);
        current = [];
      }
      currentSignature = fileSignature;
      current.push(file);
    }
    if (current.length > 0) batches.push(current);
  }
  return batches;
}
