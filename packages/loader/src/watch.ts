// A local folder as the bucket: files already there are loaded first, then new and changed files as
// they land. The ledger makes this restartable: a restart reloads nothing.
import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localObject } from './events/local.js';
import type { Loader, ObjectResult } from './load.js';

export interface WatchOptions {
  /** Pause between scans. Default 1000 ms. */
  intervalMs?: number;
  /** Stops the watch after the load in progress; the promise then resolves. */
  signal?: AbortSignal;
  onResult?: (result: ObjectResult) => void;
}

async function scan(
  root: string,
  dir = root,
  found = new Map<string, string>(),
): Promise<Map<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await scan(root, path, found);
    else if (entry.isFile()) {
      const info = await stat(path).catch(() => undefined);
      // Size and modification time identify a version cheaply; content is hashed only when they change.
      if (info) found.set(relative(root, path), `${info.size}:${info.mtimeMs}`);
    }
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
  while (!options.signal?.aborted) {
    const current = await scan(root);
    for (const [key, version] of current) {
      if (options.signal?.aborted) return;
      if (handled.get(key) === version || previous.get(key) !== version) continue;
      // A snapshot is hashed and loaded, so the ETag always names the bytes that were loaded, even
      // when the file is rewritten meanwhile.
      const snapshot = join(snapshots, `${handled.size}-${basename(key)}`);
      const copied = await copyFile(join(root, key), snapshot).then(
        () => true,
        () => false,
      );
      if (!copied) continue;
      const taken = await localObject(snapshots, basename(snapshot));
      const result = await loader.loadFile({ ...taken, bucket: resolve(root), key }, snapshot);
      await rm(snapshot, { force: true });
      // A failure worth retrying is tried again at the next scan; others wait for the file to change.
      if (!(result.status === 'failed' && result.retryable)) handled.set(key, version);
      options.onResult?.(result);
    }
    previous = current;
    await sleep(interval, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {});
  }
  await rm(snapshots, { recursive: true, force: true });
}
