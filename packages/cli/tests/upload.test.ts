// `lakeload upload` as a child process against a real S3 API server (s3rver): layout, reruns,
// usage errors, and Ctrl-C in the middle followed by a rerun that uploads only what is missing.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let dir: string;
let server: S3Server;
let client: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeload-upload-cli-'));
  server = await startS3Server(['lake']);
  client = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: server.credentials,
  });
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

// MALLOC_ARENA_MAX set: the binary runs in this process, without its re-exec (signals reach it directly).
const env = () => ({ ...process.env, ...server.env, MALLOC_ARENA_MAX: '2' });

function lakeload(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: env() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function keys(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: 'lake',
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) found.push(object.Key);
    token = page.NextContinuationToken;
  } while (token);
  return found;
}

async function bytesOf(key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
  return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
}

interface Summary {
  uploaded: number;
  skipped: number;
  failed: number;
  prefix: string;
  files: { path: string; status: string; parts?: number }[];
}

describe('lakeload upload', () => {
  it('documents its options and exit codes, and exits 2 naming what is wrong', () => {
    const help = lakeload('upload', '--help');
    expect(help.code).toBe(0);
    for (const option of ['--part-size', '--concurrency', '--include-rejects', '--sse-kms-key-id', '--json'])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toContain('Exit codes: 0 success, 1 failure, 2 usage error');
    expect(lakeload('--help').stdout).toMatch(/\n {2}upload +Upload converted Parquet files to S3/);
    for (const [args, message] of [
      [['upload'], /name a folder and one destination/],
      [['upload', 'nowhere', 's3://lake/x'], /"nowhere" is not a folder/],
      [['upload', '.', 'lake/x'], /must be an s3:\/\/bucket\/prefix URI/],
      [['upload', '.', 's3://lake/x', '--part-size', '1'], /--part-size must be between 5 and 5120/],
      [['upload', '.', 's3://lake/x', '--concurrency', 'many'], /--concurrency expects a whole number/],
    ] as const) {
      const result = lakeload(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it('uploads a converted lake keeping its layout, and nothing on a rerun', async () => {
    expect(
      lakeload('generate', '--orders', '200', '--days', '2', '--dirty-rate', '0.1', '--out', 'in/o.jsonl')
        .code,
    ).toBe(0);
    expect(lakeload('convert', 'in', '--out', 'lake').code).toBe(0);
    const local = (await readdir(join(dir, 'lake'), { recursive: true }))
      .map((path) => path.split('\\').join('/'))
      .filter((path) => path.endsWith('.parquet'))
      .sort();
    expect(local.length).toBeGreaterThanOrEqual(6);

    const first = lakeload('upload', 'lake', 's3://lake/landing', '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as Summary;
    expect(summary).toMatchObject({ uploaded: local.length, skipped: 0, failed: 0, prefix: 'landing/' });
    expect(await keys('landing/')).toEqual(local.map((path) => `landing/${path}`));
    for (const path of local)
      expect(await bytesOf(`landing/${path}`)).toEqual(await readFile(join(dir, 'lake', path)));

    const again = lakeload('upload', 'lake', 's3://lake/landing/');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `0 uploaded (0 kB), ${local.length} already present, 0 failed → s3://lake/landing/\n`,
    );

    const rejects = JSON.parse(
      lakeload('upload', 'lake', 's3://lake/landing', '--include-rejects', '--json').stdout,
    ) as Summary;
    expect(rejects.uploaded).toBeGreaterThan(0);
    expect(
      rejects.files
        .filter((file) => file.status === 'uploaded')
        .every((file) => file.path.startsWith('_rejects/')),
    ).toBe(true);
  });

  it('passes --sse-kms-key-id on to every object it creates', async () => {
    const before = (await server.requests()).length;
    const result = lakeload(
      'upload',
      'lake',
      's3://lake/encrypted',
      '--sse-kms-key-id',
      'alias/lake',
      '--json',
    );
    expect(result.code).toBe(0);
    const puts = (await server.requests()).slice(before).filter((request) => request.method === 'PUT');
    expect(puts.length).toBe((JSON.parse(result.stdout) as Summary).uploaded);
    for (const put of puts) {
      expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/lake');
    }
  });

  it('fails with exit 1 and the fix when the bucket does not exist', () => {
    const result = lakeload('upload', 'lake', 's3://no-such-bucket/x');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bucket "no-such-bucket" does not exist.*Check the bucket name/);
  });

  it('stops cleanly on Ctrl-C mid-way; the rerun uploads only the rest, each object once, bytes identical', async () => {
    const big = join(dir, 'big');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 4; i++) {
      const path = `year=2025/month=11/day=1${i}/order_items/part-${i}.parquet`;
      files[path] = randomBytes(5 * 1024 * 1024 + 4096);
      await mkdir(join(big, path, '..'), { recursive: true });
      await writeFile(join(big, path), files[path] as Buffer);
    }
    const before = (await server.requests()).length;
    const child = spawn(
      process.execPath,
      [bin, 'upload', 'big', 's3://lake/big', '--part-size', '5', '--concurrency', '1'],
      { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Ctrl-C once the first object is complete and the second one's first part is on its way.
    const uploadIdOf = (url: string) => new URL(url, 'http://x').searchParams.get('uploadId');
    for (;;) {
      const requests = (await server.requests()).slice(before);
      const completed = requests
        .filter((request) => request.method === 'POST' && request.url.includes('uploadId='))
        .map((request) => uploadIdOf(request.url));
      const nextPart = requests.find(
        (request) =>
          request.method === 'PUT' &&
          request.url.includes('partNumber=') &&
          !completed.includes(uploadIdOf(request.url)),
      );
      if (completed.length >= 1 && nextPart) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/stopped after \d+ uploaded and 0 already present/);
    const present = await keys('big/');
    expect(present.length).toBeGreaterThanOrEqual(1);
    expect(present.length).toBeLessThan(4);
    // The multipart upload in flight was aborted (s3rver cannot, and says so; the rerun is unaffected).
    const requests = (await server.requests()).slice(before);
    expect(requests.some((request) => request.method === 'DELETE' && request.url.includes('uploadId='))).toBe(
      true,
    );

    const rerun = lakeload('upload', 'big', 's3://lake/big', '--part-size', '5', '--json');
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as Summary;
    expect(summary).toMatchObject({ uploaded: 4 - present.length, skipped: present.length, failed: 0 });
    expect(summary.files.filter((file) => file.status === 'uploaded').every((file) => file.parts === 2)).toBe(
      true,
    );
    const all = Object.keys(files).sort();
    expect(await keys('big/')).toEqual(all.map((path) => `big/${path}`));
    for (const path of all) expect(await bytesOf(`big/${path}`)).toEqual(files[path]);
  });
});
