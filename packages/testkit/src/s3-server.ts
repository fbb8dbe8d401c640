// A real S3 API server (s3rver) for tests, on a free port with a temporary folder, plus a log of
// every request it received (method, URL, headers), for what s3rver does not enforce itself.
//
// It runs in a child process started with --openssl-legacy-provider: s3rver encrypts its
// ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3 refuses otherwise (every
// truncated listing would fail with a 500).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One HTTP request the server received, as it arrived (headers lower-cased by Node). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** A running s3rver: where it listens, how to reach it, what it was asked, and how to stop it. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`, for `endpoint` with `forcePathStyle`. */
  endpoint: string;
  /** What a child process needs to reach this server with the default credential chain. */
  env: Record<string, string>;
  /** The key pair s3rver knows: signed requests are checked against it, unsigned ones served anonymously. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request received so far, oldest first. */
  requests(): Promise<RecordedRequest[]>;
  /** Stops the server and removes its folder (the stored objects and the request log). */
  close(): Promise<void>;
}

// s3rver answers a PUT or an UploadPart once its hashing stage has passed the last byte, not once
// the file holds it, and overwrites in place: a read right after the answer, or during an
// overwrite, could get a short object. So bytes go to a temporary name, renamed when complete,
// as the rehearsal's local S3 does (packages/rehearsal/src/s3/local-s3.ts).
const CHILD = `
const [s3rverPath, dir, log, buckets] = process.argv.slice(1);
const S3rver = require(s3rverPath);
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { Readable, Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir + '/data', silent: true,
  configureBuckets: JSON.parse(buckets).map((name) => ({ name })) });
async function writeWhole(content, file) {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const hash = crypto.createHash('md5');
  let size = 0;
  const count = new Transform({ transform(chunk, _encoding, done) {
    hash.update(chunk); size += chunk.length; done(null, chunk); } });
  const partial = file + '.' + crypto.randomUUID() + '.partial';
  try {
    await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : content, count,
      fs.createWriteStream(partial));
    await fs.promises.rename(partial, file);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
  return { size, md5: hash.digest('hex') };
}
const store = server.store;
store.putObject = async (object) => {
  const written = await writeWhole(object.content, store.getResourcePath(object.bucket, object.key, 'object'));
  await store.putMetadata(object.bucket, object.key, object.metadata, written.md5);
  return written;
};
store.putPart = (bucket, uploadId, partNumber, content) =>
  writeWhole(content, path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber)));
server.run().then(({ port }) => {
  server.httpServer.prependListener('request', (req) => fs.appendFileSync(log,
    JSON.stringify({ method: req.method, url: req.url, headers: req.headers }) + '\\n'));
  process.stdout.write(JSON.stringify({ port }) + '\\n');
});
`;

/**
 * Starts s3rver on a free port of 127.0.0.1 with the given buckets created (empty), in a temporary
 * folder of its own. Call `close()` when done (an `afterAll`).
 */
export async function startS3Server(buckets: readonly string[] = []): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'lakeload-s3rver-'));
  const log = join(dir, 'requests.jsonl');
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', CHILD, s3rverPath, dir, log, JSON.stringify(buckets)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve((JSON.parse(out) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    credentials,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
    async requests() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedRequest);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
