// A local folder as the bucket: files already there are loaded first, then new and changed files as
// they land, each scan's files in batches (one file seen alone loads at once). The ledger makes this
// restartable: a restart reloads nothing.
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { walkFiles } from '@lakeload/commons';
import { localObject } from './events/local.js';
import type { ObjectRef } from './events/types.js';
import { type Loader, type ObjectResult, objectUri } from './load.js';
import { localStore } from './sources/local-store.js';

export interface WatchOptions {
  /** Pause between scans. Default 1000 ms. */
  intervalMs?: number;
  /** Stops the watch after the load in progress; the promise then resolves. */
  signal?: AbortSignal;
  onResult?: (result: ObjectResult) => void;
}

/** Files snapshotted and loaded per call: bounds the temporary copies of a large backfill. */
const SLICE = 100;

interface Due {
  key: string;
  version: string;
  ref: ObjectRef;
  snapshot: string;
}

async function scan(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const path of await walkFiles(root)) {
    const info = await stat(join(root, path)).catch(() => undefined);
    // Size and modification time identify a version cheaply; content is hashed only when they change.
    if (info) found.set(path, `${info.size}:${info.mtimeMs}`);
  }
  return found;
}

/**
 * Loads every file under `root` and keeps loading what appears or changes, until `signal` aborts.
 * A file is loaded once it has looked the same in two scans in a row, so one still being written
 * is not picked up half way.
 */
export async function watchFolder(root: string, loader: Loader, options: WatchOptions = {}): Promise<void> {
  const interval = options.intervalMs ?? 1000;
  const snapshots = await mkdtemp(join(tmpdir(), 'lakeload-watch-'));
  const handled = new Map<string, string>();
  let previous = new Map<string, string>();
  let taken = 0;
  while (!options.signal?.aborted) {
    const current = await scan(root);
    const ready = [...current].filter(
      ([key, version]) => handled.get(key) !== version && previous.get(key) === version,
    );
    for (let start = 0; start < ready.length && !options.signal?.aborted; start += SLICE) {
      const due: Due[] = [];
      for (const [key, version] of ready.slice(start, start + SLICE)) {
        // A snapshot is hashed and loaded, so the ETag always names the bytes that were loaded, even
        // when the file is rewritten meanwhile.
        // Numbered names: nothing in a key (a glob character, say) reaches the reader's path.
        const snapshot = join(snapshots, `${++taken}.parquet`);
        const copied = await copyFile(join(root, key), snapshot).then(
          () => true,
          () => false,
        );
        if (!copied) continue;
        const ref = await localObject(snapshots, basename(snapshot));
        // The event time is the file's own modification time (the version seen in both scans), so
        // that a scan's files load oldest first.
        const eventTime = new Date(Number(version.split(':')[1])).toISOString();
        due.push({ key, version, ref: { ...ref, bucket: resolve(root), key, eventTime }, snapshot });
      }
      await loadDue(loader, due, handled, options);
    }
    previous = current;
    await sleep(interval, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {});
  }
  await rm(snapshots, { recursive: true, force: true });
}

/** Loads one slice of due files in batches, reporting each result as its batch commits. */
async function loadDue(
  loader: Loader,
  due: readonly Due[],
  handled: Map<string, string>,
  options: WatchOptions,
): Promise<void> {
  if (due.length === 0) return;
  const byKey = new Map(due.map((item) => [item.key, item]));
  const byUri = new Map(due.map((item) => [objectUri(item.ref), item]));
  const store = localStore((ref) => byKey.get(ref.key)?.snapshot ?? join(ref.bucket, ref.key));
  try {
    await loader.loadObjects(
      due.map((item) => item.ref),
      store,
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onResult: (result) => {
          const item = byUri.get(result.uri);
          // A failure worth retrying is tried again at the next scan; others wait for the file to change.
          if (item && !(result.status === 'failed' && result.retryable)) handled.set(item.key, item.version);
          options.onResult?.(result);
        },
      },
    );
  } catch (error) {
    // Stopped between batches: what loaded is reported; the rest loads after a restart.
    if (!options.signal?.aborted) throw error;
  } finally {
    await Promise.all(due.map((item) => rm(item.snapshot, { force: true })));
  }
}
