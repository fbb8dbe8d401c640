// The Lambda as deployed: the zip that @lakeload/lambda builds (its package.json says where, and
// which file and export are the handler), unpacked into a fresh folder and imported from there. Each
// load is a new module instance, so every rehearsal is a cold start with its own environment.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { RehearsalError } from './errors.js';
import type { SqsHandler } from './s3/queue.js';

/** The files of a zip archive (stored or deflated entries, as zip tools and fflate write them). */
export function unzip(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let end = archive.length - 22;
  while (end >= 0 && archive.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new RehearsalError('not a zip archive: no end-of-central-directory record');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50)
      throw new RehearsalError('corrupt zip: bad central directory');
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const data = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const bytes = archive.subarray(data, data + compressed);
    if (method === 0) files.set(name, Buffer.from(bytes));
    else if (method === 8) files.set(name, inflateRawSync(bytes));
    else
      throw new RehearsalError(`zip entry ${name} uses compression method ${method}, which is not supported`);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** Where the Lambda package's built zip is and what its handler is called, from its package.json. */
async function bundleInfo(): Promise<{ zip: string; file: string; exportName: string }> {
  const require = createRequire(import.meta.url);
  let main: string;
  try {
    main = require.resolve('@lakeload/lambda');
  } catch (error) {
    throw new RehearsalError(
      'the Lambda package is not built: run "pnpm --filter @lakeload/lambda build" (it makes dist/lambda.zip)',
      { cause: error },
    );
  }
  const root = dirname(dirname(main));
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    lakeload?: { bundle?: string; handler?: string };
  };
  const { bundle, handler } = manifest.lakeload ?? {};
  const [file, exportName] = (handler ?? '').split('.');
  if (!bundle || !file || !exportName) {
    throw new RehearsalError(
      'packages/lambda/package.json has no "lakeload": {"bundle", "handler"} to find the function by',
    );
  }
  return { zip: join(root, bundle), file, exportName };
}

/**
 * Imports the handler from the deployable zip. The environment must be set first: the function
 * checks it when its module loads (the cold start).
 */
export async function loadLambdaHandler(): Promise<{ handler: SqsHandler; release(): Promise<void> }> {
  const { zip, file, exportName } = await bundleInfo();
  const archive = await readFile(zip).catch(() => {
    throw new RehearsalError(
      `the Lambda bundle ${zip} is missing: build it with "pnpm --filter @lakeload/lambda build"`,
    );
  });
  const entry = [...unzip(archive)].find(([name]) => name === `${file}.mjs` || name === `${file}.js`);
  if (!entry) throw new RehearsalError(`${zip} holds no ${file}.mjs (the handler "${file}.${exportName}")`);
  const folder = await mkdtemp(join(tmpdir(), 'lakeload-lambda-'));
  const path = join(folder, entry[0]);
  await writeFile(path, entry[1]);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const handler = module[exportName];
  const release = () => rm(folder, { recursive: true, force: true });
  if (typeof handler !== 'function') {
    await release();
    throw new RehearsalError(`${zip}: ${entry[0]} exports no function "${exportName}"`);
  }
  return { handler: handler as SqsHandler, release };
}
