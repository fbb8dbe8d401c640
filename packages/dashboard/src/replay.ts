// The one action: load a dead letter's object again, and mark the letter replayed when it loads
// (or turns out to be loaded already), as `lakeload replay` does for all of them.
import { existsSync } from 'node:fs';
import { type Loader, localObjects } from '@lakeload/loader';

export type ReplayResult =
  | { status: 'loaded' | 'duplicate'; uri: string; table: string }
  | { status: 'failed'; uri: string; error: string; tip: string }
  | { status: 'unreachable'; uri: string; error: string };

/**
 * Replays one dead letter through the loader. Local `file://` objects only: an `s3://` letter is
 * reported unreachable with the way out, since this server holds no S3 client.
 */
export async function replayDeadLetter(loader: Loader, uri: string, identity: string): Promise<ReplayResult> {
  if (!uri.startsWith('file://'))
    return {
      status: 'unreachable',
      uri,
      error:
        'only local file:// objects can be replayed from the dashboard; load S3 objects again with lakeload load s3://…',
    };
  // The loader writes file:// and the absolute path as it is (not percent-encoded).
  const path = uri.slice('file://'.length);
  if (!existsSync(path))
    return { status: 'unreachable', uri, error: `${path} no longer exists: restore the file, then replay` };
  const [file] = await localObjects([path]);
  if (!file) return { status: 'unreachable', uri, error: `${path} is not a loadable Parquet file` };
  const result = await loader.loadFile(file.ref, file.path);
  if (result.status === 'failed') return { status: 'failed', uri, error: result.error, tip: result.tip };
  if (result.status === 'loaded' || result.status === 'duplicate') {
    await loader.markReplayed(uri, identity);
    return { status: result.status, uri, table: result.table };
  }
  return { status: 'unreachable', uri, error: `the loader skipped ${path}: ${result.status}` };
}
