// The reconcile stage: a source's objects compared with the ledger (what is present but not loaded,
// loaded but gone, failed), and the backfill that loads the difference through `Loader.loadObjects`.
// Comparing is pure (`compareWithLedger`); reading the ledger and loading are the async edges.

import { mapLimit } from '@lakeload/commons';
import type { ObjectRef } from '../events/types.js';
import { ledgerTables } from '../ledger/ledger.js';
import { LedgerReads } from '../ledger/ledger-reads.js';
import { type Loader, type ObjectResult, objectUri } from '../load.js';
import { oldestFirst } from '../plan/batch.js';
import { type RoutingRule, route } from '../routing/route.js';
import type { Driver } from '../warehouse/dialect.js';
import type { Listing } from './listing.js';

/** What the ledger holds for the objects under one URI prefix. */
export interface LedgerState {
  /** Object URI → every identity (ETag or version id) it was loaded as. */
  loaded: Map<string, Set<string>>;
  /** Object URI → identity → the latest error of a failed load of that content. */
  failures: Map<string, Map<string, string>>;
}

/** An object present in the source but not loaded as it is now. */
export interface NotLoaded {
  uri: string;
  identity: string;
  /** `new`: never loaded; `changed`: loaded, but with other content (a re-upload). */
  reason: 'new' | 'changed';
  ref: ObjectRef;
}

/** A present object whose current content failed to load and has not loaded since. */
export interface FailedObject {
  uri: string;
  identity: string;
  error: string;
  ref: ObjectRef;
}

/** A source compared with the ledger. Every listed object is in exactly one of the lists or counts. */
export interface ReconcileReport {
  uriPrefix: string;
  /** Objects listed under the prefix. */
  listed: number;
  /** Listed objects that are not data (markers, `_temporary/`, not Parquet…), with the reason. */
  skipped: { uri: string; reason: string }[];
  /** Listed objects loaded with their current identity. */
  loaded: number;
  notLoaded: NotLoaded[];
  failed: FailedObject[];
  /** Loaded object URIs under the prefix that are no longer listed, with the identities loaded. */
  gone: { uri: string; identities: string[] }[];
}

/** True when the report holds any drift: objects not loaded, failed or gone. */
export function hasDrift(report: ReconcileReport): boolean {
  return report.notLoaded.length + report.failed.length + report.gone.length > 0;
}

/** The ledger identity of an object: its version id where known, else its ETag (as loads record it). */
function identityOf(ref: ObjectRef): string {
  return ref.versionId ?? ref.etag;
}

/** Reads what the ledger holds under `uriPrefix`; an absent ledger is an empty one (nothing is created). */
export async function readLedgerState(driver: Driver, uriPrefix: string): Promise<LedgerState> {
  const state: LedgerState = { loaded: new Map(), failures: new Map() };
  if (!(await ledgerTables(driver)).ledger) return state;
  const reads = new LedgerReads(driver.compiler);
  for (const row of await driver.query(reads.loadedUnder(uriPrefix))) {
    const uri = String(row.object_uri);
    const identities = state.loaded.get(uri) ?? new Set<string>();
    identities.add(String(row.object_identity));
    state.loaded.set(uri, identities);
  }
  for (const row of await driver.query(reads.failuresUnder(uriPrefix))) {
    const uri = String(row.object_uri);
    const byIdentity = state.failures.get(uri) ?? new Map<string, string>();
    byIdentity.set(String(row.object_identity), String(row.error ?? ''));
    state.failures.set(uri, byIdentity);
  }
  return state;
}

/**
 * Compares listed objects with the ledger. Pure: routing (with `rules`) sets aside what is not data;
 * each other object is loaded (its URI and current identity have a loaded row), failed (its current
 * identity failed and never loaded), or not loaded (new, or changed since it loaded).
 */
export function compareWithLedger(
  uriPrefix: string,
  listed: readonly ObjectRef[],
  state: LedgerState,
  rules: readonly RoutingRule[] = [],
): ReconcileReport {
  const report: ReconcileReport = {
    uriPrefix,
    listed: listed.length,
    skipped: [],
    loaded: 0,
    notLoaded: [],
    failed: [],
    gone: [],
  };
  const present = new Set<string>();
  for (const ref of listed) {
    const uri = objectUri(ref);
    present.add(uri);
    const identity = identityOf(ref);
    if (state.loaded.get(uri)?.has(identity)) {
      report.loaded += 1;
      continue;
    }
    let routed: ReturnType<typeof route> | undefined;
    try {
      routed = route(ref.key, ref.size, rules);
    } catch {
      // Unroutable Parquet is data the loader would refuse: it counts as not loaded, and a load says why.
    }
    if (routed?.action === 'skip') {
      report.skipped.push({ uri, reason: routed.reason });
      continue;
    }
    const error = state.failures.get(uri)?.get(identity);
    if (error !== undefined) report.failed.push({ uri, identity, error, ref });
    else report.notLoaded.push({ uri, identity, reason: state.loaded.has(uri) ? 'changed' : 'new', ref });
  }
  for (const [uri, identities] of state.loaded) {
    if (!present.has(uri)) report.gone.push({ uri, identities: [...identities].sort() });
  }
  report.gone.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  return report;
}

/** Options of {@link reconcile} and {@link backfill}. */
export interface ReconcileOptions {
  /** Routing rules, as the loader's: they decide what is data (default: folder names the table). */
  rules?: readonly RoutingRule[];
  /** Only objects not loaded and modified at or after this are reported and loaded; older ones are counted apart. */
  since?: Date;
  signal?: AbortSignal;
  /** Told the number of objects listed so far, page by page. */
  onListed?: (count: number) => void;
}

/** Listing calls to `current` in flight at once (HeadObject for S3). */
const CURRENT_CONCURRENCY = 8;

/** Every object of the listing, page by page. */
async function listAll(listing: Listing, options: ReconcileOptions): Promise<ObjectRef[]> {
  const refs: ObjectRef[] = [];
  for await (const ref of listing.objects(options.signal)) {
    refs.push(ref);
    options.onListed?.(refs.length);
  }
  return refs;
}

/**
 * Compares a source with the ledger: read-only (an absent ledger is read as empty). Where the
 * listing can tell more about an object (`Listing.current`: S3 version ids), the objects found not
 * loaded or failed are asked again, so that an object loaded by its version id is not reported.
 */
export async function reconcile(
  driver: Driver,
  listing: Listing,
  options: ReconcileOptions = {},
): Promise<ReconcileReport & { beforeSince: number }> {
  const refs = await listAll(listing, options);
  const state = await readLedgerState(driver, listing.uriPrefix);
  let report = compareWithLedger(listing.uriPrefix, refs, state, options.rules);
  const current = listing.current?.bind(listing);
  if (current && report.notLoaded.length + report.failed.length > 0) {
    // Only the objects in doubt are asked again; the others' identity already matched.
    const doubtful = new Set([...report.notLoaded, ...report.failed].map((item) => item.uri));
    const refined = await mapLimit(refs, CURRENT_CONCURRENCY, async (ref) =>
      doubtful.has(objectUri(ref)) ? await current(ref) : ref,
    );
    const kept = refined.filter((ref): ref is ObjectRef => ref !== undefined);
    report = compareWithLedger(listing.uriPrefix, kept, state, options.rules);
    report.listed = refs.length;
  }
  // Objects modified before `since` are left alone; they still count as present (never "gone").
  const since = options.since?.getTime();
  const recent = (item: { ref: ObjectRef }) => since === undefined || Date.parse(item.ref.eventTime) >= since;
  const notLoaded = report.notLoaded.filter(recent);
  const failed = report.failed.filter(recent);
  const beforeSince = report.notLoaded.length + report.failed.length - notLoaded.length - failed.length;
  return { ...report, notLoaded, failed, beforeSince };
}

/** Options of {@link backfill}. */
export interface BackfillOptions extends ReconcileOptions {
  /** List and compare only: nothing is loaded and nothing is written. */
  dryRun?: boolean;
  /**
   * Tables loading at once (default 1). One table's objects always load in order, oldest first, one
   * `loadObjects` call after another; different tables load side by side, worker `i` through
   * `loaders[i % loaders.length]` (give a loader per worker, each with its own driver, unless one
   * driver takes concurrent loads: DuckDB's queues them in process).
   */
  concurrency?: number;
  /** Objects per `loadObjects` call (default 100): bounds footers read and files fetched ahead. */
  sliceFiles?: number;
  /** Told how many objects will load, once the listing is compared and before the first load. */
  onPlanned?: (count: number) => void;
  /** Told each object's result as soon as its batch commits. */
  onResult?: (result: ObjectResult) => void;
}

/** What a backfill found and did. */
export interface BackfillSummary {
  uriPrefix: string;
  dryRun: boolean;
  listed: number;
  /** Not loaded, but modified before `since`: left alone. */
  beforeSince: number;
  /** Present and loaded already (with their current identity): left alone. */
  alreadyLoaded: number;
  /** Objects the backfill set out to load (new, changed, or failed before). */
  toLoad: { uri: string; reason: 'new' | 'changed' | 'failed' }[];
  loaded: number;
  /** Loaded meanwhile by someone else (the ledger decided in the load transaction). */
  duplicate: number;
  failed: number;
  /** Not data (markers, not Parquet…), from the listing and from the loader. */
  skipped: number;
  inserted: number;
  updated: number;
  /** One result per object loaded (empty with `dryRun`). */
  results: ObjectResult[];
}

/**
 * Loads what the ledger lacks: the source is listed, compared with the ledger
 * ({@link reconcile}), and every object present but not loaded with its current identity — new,
 * re-uploaded with a new ETag or version, or failed before — goes through `loader.loadObjects`, in
 * batches. The ledger is read again by each load transaction, so running alongside the event-driven
 * loader loads nothing twice (such objects come back as `duplicate`).
 */
export async function backfill(
  loaders: Loader | readonly Loader[],
  driver: Driver,
  listing: Listing,
  options: BackfillOptions = {},
): Promise<BackfillSummary> {
  const concurrency = Math.max(1, Math.trunc(options.concurrency ?? 1));
  const sliceFiles = Math.max(1, Math.trunc(options.sliceFiles ?? 100));
  const report = await reconcile(driver, listing, options);
  const due = [
    ...report.notLoaded.map((item) => ({ uri: item.uri, reason: item.reason, ref: item.ref })),
    ...report.failed.map((item) => ({ uri: item.uri, reason: 'failed' as const, ref: item.ref })),
  ];
  const summary: BackfillSummary = {
    uriPrefix: listing.uriPrefix,
    dryRun: options.dryRun === true,
    listed: report.listed,
    beforeSince: report.beforeSince,
    alreadyLoaded: report.loaded,
    toLoad: due.map(({ uri, reason }) => ({ uri, reason })),
    loaded: 0,
    duplicate: 0,
    failed: 0,
    skipped: report.skipped.length,
    inserted: 0,
    updated: 0,
    results: [],
  };
  if (summary.dryRun || due.length === 0) return summary;
  options.onPlanned?.(due.length);

  // One queue of slices per table, oldest first; unroutable objects form a queue of their own.
  const byTable = new Map<string, ObjectRef[]>();
  for (const ref of oldestFirst(due).map((item) => item.ref)) {
    let table = '';
    try {
      const routed = route(ref.key, ref.size, options.rules);
      if (routed.action === 'load') table = routed.table;
    } catch {
      // The loader reports it, with the fix.
    }
    byTable.set(table, [...(byTable.get(table) ?? []), ref]);
  }
  const queues = [...byTable.values()];
  const record = (result: ObjectResult) => {
    summary.results.push(result);
    if (result.status === 'loaded') {
      summary.loaded += 1;
      summary.inserted += result.inserted;
      summary.updated += result.updated;
    } else if (result.status === 'duplicate') summary.duplicate += 1;
    else if (result.status === 'failed') summary.failed += 1;
    else summary.skipped += 1;
    options.onResult?.(result);
  };
  const pool = Array.isArray(loaders) ? loaders : [loaders as Loader];
  await mapLimit(queues, concurrency, async (refs, _index, worker) => {
    const loader = pool[worker % pool.length] as Loader;
    for (let start = 0; start < refs.length; start += sliceFiles) {
      options.signal?.throwIfAborted();
      await loader.loadObjects(refs.slice(start, start + sliceFiles), listing.store, {
        ...(options.signal ? { signal: options.signal } : {}),
        onResult: record,
      });
    }
  });
  return summary;
}
