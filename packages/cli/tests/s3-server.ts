// A real S3 API server (s3rver) for the CLI tests (the same helper as the loader's tests/s3-server.ts;
// test helpers cannot cross package roots here), on a free port with a temporary folder, plus a log of
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

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface S3Server {
  endpoint: string;
  /** What a child process needs to reach this server with the default credential chain. */
  env: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requests(): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const CHILD = `
const [s3rverPath, dir, log, buckets] = process.argv.slice(1);
const S3rver = require(s3rverPath);
const fs = require('node:fs');
const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir + '/data', silent: true,
  configureBuckets: JSON.parse(buckets).map((name) => ({ name })) });
server.run().then(({ port }) => {
  server.httpServer.prependListener('request', (req) => fs.appendFileSync(log,
    JSON.stringify({ method: req.method, url: req.url, headers: req.headers }) + '\\n'));
  process.stdout.write(JSON.stringify({ port }) + '\\n');
});
`;

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
