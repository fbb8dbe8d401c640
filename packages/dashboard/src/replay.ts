// The one action: load a dead letter's object again, and mark the letter replayed when it loads
// (or turns out to be loaded already), as `lakeload replay` does for all of them.
import { existsSync } from 'node:fs';
import { type Loader, localObjectAt, localStore, type PendingLetter } from '@lakeload/loader';

export type ReplayResult =
  | { status: 'loaded' | 'duplicate'; uri: string; table: string }
  | { status: 'failed'; uri: string; error: string; tip: string }
  | { status: 'unreachable'; uri: string; error: string };

/**
 * Replays one dead letter through the loader. Local `file://` objects only: an `s3://` letter is
 * reported unreachable with the way out, since this server holds no S3 client.
 */
export async function replayDeadLetter(loader: Loader, letter: PendingLetter): Promise<ReplayResult> {
  const { uri } = letter;
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
  // The same replay as `lakeload replay`: the original key, the table of the first load.
  const [result] = await loader.replay([letter], [await localObjectAt(uri, letter.key)], localStore());
  if (!result) return { status: 'unreachable', uri, error: `the loader gave no result for ${path}` };
  if (result.status === 'failed') return { status: 'failed', uri, error: result.error, tip: result.tip };
  if (result.status === 'loaded' || result.status === 'duplicate')
    return { status: result.status, uri, table: result.table };
  return { status: 'unreachable', uri, error: `the loader skipped ${path}: ${result.status}` };
}
