// Event fixtures in the shapes AWS delivers (S3, SQS, SNS, EventBridge) and the local watcher's:
// one copy under testkit/events/, read by the loader's parser tests and the Lambda handler's.
import { readFile } from 'node:fs/promises';

/** The parsed JSON of events/<path>, e.g. `s3/put.json`. */
export async function eventFixture(path: string): Promise<unknown> {
  return JSON.parse(await readFile(new URL(`../events/${path}`, import.meta.url), 'utf8'));
}
