// Uploading a lake folder to a real S3 API server (s3rver) with the real SDK client: layout,
// multipart, skips on rerun, a resumed upload after an interruption, SSE-KMS headers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@lakeload/testkit/s3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, ObjectNotFoundError } from '../../src/sources/s3-client.js';
import { listS3Objects } from '../../src/sources/s3-list.js';
import {
  localChecksums,
  MIN_PART_SIZE,
  UploadInterruptedError,
  type UploadProgress,
  uploadCandidates,
  uploadDirectory,
} from '../../src/sources/s3-upload.js';

let server: S3Server;
let client: S3Client;
let lake: string;
const DAY = 'year=2025/month=11/day=13';
const FILES: Record<string, Buffer> = {
  [`${DAY}/order_items/a.parquet`]: randomBytes(1000),
  // Three parts at the smallest part size S3 allows.
  [`${DAY}/order_items/b-big.parquet`]: randomBytes(2 * MIN_PART_SIZE + 12345),
  [`${DAY}/order summary/c = 1.parquet`]: randomBytes(2000),
  '_rejects/web-orders.jsonl.1a2b.jsonl': Buffer.from('{"line":3,"reason":"bad"}\n'),
  '.scratch/half.parquet': Buffer.from('never uploaded'),
  [`${DAY}/order_items/notes.txt`]: Buffer.from('not parquet'),
};
const UPLOADED = [
  `${DAY}/order summary/c = 1.parquet`,
  `${DAY}/order_items/a.parquet`,
  `${DAY}/order_items/b-big.parquet`,
];

beforeAll(async () => {
  server = await startS3Server(['lake']);
  client = createS3Client({ endpoint: server.endpoint, credentials: server.credentials });
  lake = await mkdtemp(join(tmpdir(), 'lakeload-upload-'));
  for (const [path, bytes] of Object.entries(FILES)) {
    await mkdir(dirname(join(lake, path)), { recursive: true });
    await writeFile(join(lake, path), bytes);
  }
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(lake, { recursive: true, force: true });
});

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const ref of listS3Objects(client, bucket, prefix)) found.push(ref.key);
  return found;
}

async function bytesOf(bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
}

async function requestsSince(count: number) {
  return (await server.requests()).slice(count);
}

describe('localChecksums', () => {
  it("computes S3's multipart ETag: the MD5 of the parts' MD5s, then the part count", async () => {
    const path = `${DAY}/order_items/b-big.parquet`;
    const bytes = FILES[path] as Buffer;
    const md5 = (data: Buffer) => createHash('md5').update(data).digest();
    const parts = [0, 1, 2].map((i) => md5(bytes.subarray(i * MIN_PART_SIZE, (i + 1) * MIN_PART_SIZE)));
    const sums = await localChecksums(join(lake, path), bytes.length, MIN_PART_SIZE);
    expect(sums).toEqual({
      md5: md5(bytes).toString('hex'),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      multipartEtag: `${md5(Buffer.concat(parts)).toString('hex')}-3`,
    });
    expect(
      (await localChecksums(join(lake, path), bytes.length, bytes.length)).multipartEtag,
    ).toBeUndefined();
  });
});

describe('uploadDirectory', () => {
  it('picks Parquet files outside _rejects/ and hidden folders; _rejects/ on request', async () => {
    expect(await uploadCandidates(lake)).toEqual(UPLOADED);
    expect(await uploadCandidates(lake, true)).toEqual(['_rejects/web-orders.jsonl.1a2b.jsonl', ...UPLOADED]);
  });

  it('keeps the layout, uses multipart for large files, and skips everything on a rerun', async () => {
    const before = (await server.requests()).length;
    const seen: UploadProgress[] = [];
    const summary = await uploadDirectory(
      client,
      lake,
      { bucket: 'lake', key: 'landing' },
      {
        partSize: MIN_PART_SIZE,
        concurrency: 3,
        onProgress: (progress) => seen.push(progress),
      },
    );
    expect(summary).toMatchObject({ bucket: 'lake', prefix: 'landing/', uploaded: 3, skipped: 0, failed: 0 });
    expect(summary.files.find((file) => file.path.endsWith('b-big.parquet'))?.parts).toBe(3);
    expect(await keys('lake', 'landing/')).toEqual(UPLOADED.map((path) => `landing/${path}`));
    for (const path of UPLOADED) expect(await bytesOf('lake', `landing/${path}`)).toEqual(FILES[path]);
    expect(seen.at(-1)).toEqual({
      files: 3,
      filesDone: 3,
      bytes: summary.bytesUploaded,
      bytesDone: summary.bytesUploaded,
    });

    const requests = await requestsSince(before);
    const parts = requests.filter(
      (request) => request.method === 'PUT' && request.url.includes('partNumber='),
    );
    expect(
      parts.map((request) => new URL(request.url, 'http://x').searchParams.get('partNumber')).sort(),
    ).toEqual(['1', '2', '3']);
    expect(
      requests.filter((request) => request.method === 'POST' && request.url.includes('uploads')),
    ).toHaveLength(1);
    for (const put of requests.filter((request) => request.method === 'PUT'))
      expect(put.headers['content-md5']).toMatch(/^[A-Za-z0-9+/]{22}==$/);

    const rerunStart = (await server.requests()).length;
    const rerun = await uploadDirectory(
      client,
      lake,
      { bucket: 'lake', key: 'landing/' },
      { partSize: MIN_PART_SIZE },
    );
    expect(rerun).toMatchObject({ uploaded: 0, skipped: 3, failed: 0, bytesUploaded: 0 });
    const again = await requestsSince(rerunStart);
    expect(again.filter((request) => request.method === 'PUT' || request.method === 'POST')).toEqual([]);
  });

  it('uploads a file again when its bytes changed but its size did not', async () => {
    const path = `${DAY}/order_items/a.parquet`;
    const changed = randomBytes(1000);
    await writeFile(join(lake, path), changed);
    try {
      const summary = await uploadDirectory(
        client,
        lake,
        { bucket: 'lake', key: 'landing' },
        {
          partSize: MIN_PART_SIZE,
        },
      );
      expect(summary.files.map((file) => [file.path, file.status])).toEqual([
        [UPLOADED[0], 'skipped'],
        [path, 'uploaded'],
        [UPLOADED[2], 'skipped'],
      ]);
      expect(await bytesOf('lake', `landing/${path}`)).toEqual(changed);
    } finally {
      await writeFile(join(lake, path), FILES[path] as Buffer);
    }
  });

  it('skips objects another tool uploaded with the same bytes (the ETag is their MD5)', async () => {
    for (const path of UPLOADED)
      await client.send(
        new PutObjectCommand({ Bucket: 'lake', Key: `other/${path}`, Body: FILES[path] as Buffer }),
      );
    const summary = await uploadDirectory(
      client,
      lake,
      { bucket: 'lake', key: 'other' },
      {
        partSize: MIN_PART_SIZE,
      },
    );
    // No lakeload metadata on these: their ETags (MD5s of single PUTs) match the local files'.
    expect(summary).toMatchObject({ uploaded: 0, skipped: 3 });
  });

  it('resumes after an interruption: only the missing files go up, each once, with identical bytes', async () => {
    const controller = new AbortController();
    const first = `${DAY}/order summary/c = 1.parquet`;
    const before = (await server.requests()).length;
    const interrupted = await uploadDirectory(
      client,
      lake,
      { bucket: 'lake', key: 'resume' },
      {
        partSize: MIN_PART_SIZE,
        concurrency: 1,
        signal: controller.signal,
        // Stop once the first file is done and the first part of the big file went up.
        onProgress: (progress) => {
          if (progress.filesDone >= 2 && progress.bytesDone > (FILES[first]?.length ?? 0) + 1000)
            controller.abort();
        },
      },
    ).catch((error: unknown) => error);
    expect(interrupted).toBeInstanceOf(UploadInterruptedError);
    const done = (interrupted as UploadInterruptedError).summary;
    expect(done.files.map((file) => file.path)).toEqual([first, `${DAY}/order_items/a.parquet`]);
    expect(await keys('lake', 'resume/')).toEqual([`resume/${first}`, `resume/${DAY}/order_items/a.parquet`]);
    // The started multipart upload was aborted (s3rver answers MethodNotAllowed, so it is also reported).
    const requests = await requestsSince(before);
    expect(requests.some((request) => request.method === 'DELETE' && request.url.includes('uploadId='))).toBe(
      true,
    );
    expect(done.warnings.join('\n')).toMatch(
      /could not abort the multipart upload \w+ of s3:\/\/lake\/resume\/.*b-big\.parquet/,
    );

    const resumed = await uploadDirectory(
      client,
      lake,
      { bucket: 'lake', key: 'resume' },
      {
        partSize: MIN_PART_SIZE,
      },
    );
    expect(resumed).toMatchObject({ uploaded: 1, skipped: 2, failed: 0 });
    expect(resumed.files.find((file) => file.status === 'uploaded')?.path).toBe(
      `${DAY}/order_items/b-big.parquet`,
    );
    expect(await keys('lake', 'resume/')).toEqual(UPLOADED.map((path) => `resume/${path}`));
    for (const path of UPLOADED) expect(await bytesOf('lake', `resume/${path}`)).toEqual(FILES[path]);
  });

  it('never has more data requests in flight than --concurrency', async () => {
    const counting = createS3Client({ endpoint: server.endpoint, credentials: server.credentials });
    let inFlight = 0;
    let most = 0;
    counting.middlewareStack.add(
      (next, context) => async (args) => {
        const carriesData =
          context.commandName === 'PutObjectCommand' || context.commandName === 'UploadPartCommand';
        if (carriesData) most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          if (carriesData) inFlight--;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    try {
      const summary = await uploadDirectory(
        counting,
        lake,
        { bucket: 'lake', key: 'bounded' },
        {
          partSize: MIN_PART_SIZE,
          concurrency: 2,
        },
      );
      expect(summary.uploaded).toBe(3);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(2);
    } finally {
      counting.destroy();
    }
  });

  it('asks for SSE-KMS on every object it creates, single PUT and multipart alike', async () => {
    const before = (await server.requests()).length;
    await uploadDirectory(
      client,
      lake,
      { bucket: 'lake', key: 'kms' },
      {
        partSize: MIN_PART_SIZE,
        sseKmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd',
      },
    );
    const creating = (await requestsSince(before)).filter(
      (request) =>
        (request.method === 'PUT' && !request.url.includes('partNumber=')) ||
        (request.method === 'POST' && request.url.includes('uploads')),
    );
    expect(creating).toHaveLength(3);
    for (const request of creating) {
      expect(request.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(request.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(
        'arn:aws:kms:eu-west-1:111122223333:key/1234abcd',
      );
    }
  });

  it('refuses a missing bucket once, clearly, and part sizes S3 would refuse', async () => {
    const error = await uploadDirectory(client, lake, { bucket: 'no-such-bucket', key: '' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ObjectNotFoundError);
    expect((error as Error).message).toMatch(/bucket "no-such-bucket" does not exist/);
    await expect(
      uploadDirectory(client, lake, { bucket: 'lake', key: '' }, { partSize: 1024 }),
    ).rejects.toThrow(/part size must be .* from 5 MiB/);
  });
});
